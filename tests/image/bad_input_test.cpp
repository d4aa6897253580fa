// Bad inputs (empty, truncated, garbage, corrupt, absurd sizes) are skipped and reported by path
// in every mode while the others are processed; the command exits 3 for them and 2 for bad
// arguments, before any work.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <parapipe/engine/run.hpp>
#include <parapipe/operators/image/image_header.hpp>
#include <parapipe/operators/image/image_io.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>
#include "tests/image/image_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using testing::gradient_image;
using testing::noise_image;

std::string encode(const std::string& ext, const cv::Mat& img, const std::vector<int>& params = {}) {
    std::vector<unsigned char> buf;
    EXPECT_TRUE(cv::imencode(ext, img, buf, params));
    return std::string(buf.begin(), buf.end());
}

std::span<const unsigned char> bytes_of(const std::string& s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// A PNG whose header declares 100000 x 100000 pixels; the rest is junk.
std::string absurd_png() {
    std::string s = "\x89PNG\r\n\x1a\n";
    s += std::string("\0\0\0\x0dIHDR", 8);
    s += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x02\x00\x00\x00", 13);
    s += "crc!junkjunkjunk";
    return s;
}

// Good and bad files side by side; returns the bad ones' names and what their reason must say.
std::vector<std::pair<std::string, std::string>> make_mixed(const testing::TempDir& dir) {
    testing::write_image((dir.path() / "in" / "good1.png").string(), gradient_image(20, 30, 3));
    testing::write_image((dir.path() / "in" / "good2.jpg").string(), gradient_image(16, 12, 3));
    const std::string png = encode(".png", noise_image(40, 40, 3));
    const std::string jpg = encode(".jpg", gradient_image(64, 64, 3));
    std::string corrupt = png;
    for (std::size_t i = 100; i < 400; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
    dir.write("in/empty.png", "");
    dir.write("in/truncated.png", png.substr(0, png.size() / 2));
    dir.write("in/truncated.jpg", jpg.substr(0, jpg.size() * 2 / 3));
    dir.write("in/garbage.png", "this is not an image at all, just text pretending to be one\n");
    dir.write("in/corrupt.png", corrupt);
    dir.write("in/absurd.png", absurd_png());
    return {{"absurd.png", "exceeds --max-pixels"}, {"corrupt.png", "corrupt"},   {"empty.png", "empty file"},
            {"garbage.png", "not an image"},       {"truncated.jpg", "truncated"}, {"truncated.png", "truncated"}};
}

TEST(ImageBadInput, SkippedAndReportedInEveryMode) {
    testing::TempDir dir;
    const auto bad = make_mixed(dir);
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("grayscale,blur:3");
    const auto inputs = image::find_inputs({(dir.path() / "in").string()});
    ASSERT_EQ(inputs.size(), 8u);
    std::vector<image::Failure> first;
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        cfg.workers = mc.workers;
        cfg.output_dir = (dir.path() / ("out-" + mc.name())).string();
        const auto r = run(image::make_batch_plan(inputs, cfg), RunOptions{.mode = mc.mode, .workers = mc.workers});
        EXPECT_EQ(r.images, 2u);
        EXPECT_EQ(r.pixels, 20u * 30 + 16 * 12);
        ASSERT_EQ(r.failed.size(), bad.size());
        for (std::size_t i = 0; i < bad.size(); ++i) {
            EXPECT_EQ(fs::path(r.failed[i].path).filename(), bad[i].first);
            EXPECT_NE(r.failed[i].reason.find(bad[i].second), std::string::npos) << r.failed[i].reason;
        }
        if (first.empty()) first = r.failed;
        EXPECT_EQ(r.failed, first);
        EXPECT_TRUE(fs::exists(fs::path(cfg.output_dir) / "good1.png"));
        EXPECT_TRUE(fs::exists(fs::path(cfg.output_dir) / "good2.jpg"));
        EXPECT_FALSE(fs::exists(fs::path(cfg.output_dir) / "empty.png"));
    }
}

TEST(ImageBadInput, MaxPixelsAppliesToDeclaredSize) {
    const std::string png = encode(".png", noise_image(30, 40, 3));
    EXPECT_NO_THROW(ops::decode_image(bytes_of(png), 1200));
    try {
        ops::decode_image(bytes_of(png), 1199);
        ADD_FAILURE() << "accepted an image above max_pixels";
    } catch (const ops::BadImage& e) {
        EXPECT_NE(std::string(e.what()).find("40x30"), std::string::npos) << e.what();
    }
}

TEST(ImageHeader, ReadsSizesOfEveryFormat) {
    const cv::Mat color = gradient_image(23, 37, 3), gray = gradient_image(23, 37, 1);
    struct Case {
        const char* ext;
        cv::Mat img;
        ops::ImageFormat format;
    };
    for (const Case& c : {Case{".png", color, ops::ImageFormat::png}, Case{".jpg", color, ops::ImageFormat::jpeg},
                          Case{".jpg", gray, ops::ImageFormat::jpeg}, Case{".webp", color, ops::ImageFormat::webp},
                          Case{".bmp", color, ops::ImageFormat::bmp}, Case{".tif", color, ops::ImageFormat::tiff},
                          Case{".ppm", color, ops::ImageFormat::pnm}, Case{".pgm", gray, ops::ImageFormat::pnm}}) {
        const std::string file = encode(c.ext, c.img);
        const auto h = ops::probe_image_header(bytes_of(file));
        EXPECT_EQ(h.format, c.format) << c.ext;
        EXPECT_EQ(h.width, 37u) << c.ext;
        EXPECT_EQ(h.height, 23u) << c.ext;
        EXPECT_FALSE(ops::find_truncation(bytes_of(file), h.format)) << c.ext;
    }
    const std::string lossy_webp = encode(".webp", color, {cv::IMWRITE_WEBP_QUALITY, 80});
    EXPECT_EQ(ops::probe_image_header(bytes_of(lossy_webp)).width, 37u);
    EXPECT_EQ(ops::probe_image_header(bytes_of(absurd_png())).pixels(), 10'000'000'000u);
    EXPECT_EQ(ops::probe_image_header(bytes_of("hello")).format, ops::ImageFormat::unknown);
}

TEST(ImageHeader, FindsTruncatedJpegsAndPngsAtAnyCut) {
    const cv::Mat img = noise_image(48, 64, 3);
    for (const auto& params : {std::vector<int>{}, std::vector<int>{cv::IMWRITE_JPEG_PROGRESSIVE, 1}}) {
        const std::string jpg = encode(".jpg", img, params);
        ASSERT_FALSE(ops::find_truncation(bytes_of(jpg), ops::ImageFormat::jpeg));
        for (std::size_t cut = 4; cut < jpg.size(); cut += 97)
            EXPECT_TRUE(ops::find_truncation(bytes_of(jpg.substr(0, cut)), ops::ImageFormat::jpeg)) << cut;
        EXPECT_TRUE(ops::find_truncation(bytes_of(jpg.substr(0, jpg.size() - 2)), ops::ImageFormat::jpeg));
    }
    const std::string png = encode(".png", img);
    for (std::size_t cut = 8; cut < png.size(); cut += 101)
        EXPECT_TRUE(ops::find_truncation(bytes_of(png.substr(0, cut)), ops::ImageFormat::png)) << cut;
}

TEST(ImageCommand, ExitsThreeAndNamesSkippedFiles) {
    testing::TempDir dir;
    const auto bad = make_mixed(dir);
    const std::string out = (dir.path() / "out").string();
    const auto r = testing::run_parapipe({"run", "image", (dir.path() / "in").string(), "--ops", "grayscale,blur:5,sobel",
                                          "--output", out, "--histogram", "--mode", "shm", "--workers", "2",
                                          "--progress", "never"});
    EXPECT_EQ(r.code, 3) << r.err;
    for (const auto& [name, why] : bad) EXPECT_NE(r.err.find(name), std::string::npos) << name << "\n" << r.err;
    EXPECT_NE(r.out.find("histogram gray"), std::string::npos) << r.out;
    const auto j = nlohmann::json::parse(testing::read_file(fs::path(out) / "histogram.json"));
    EXPECT_EQ(j["images"], 2);
    EXPECT_EQ(j["pixels"], 20 * 30 + 16 * 12);
    EXPECT_EQ(j["channels"]["gray"].size(), 256u);
    EXPECT_EQ(j["skipped"], bad.size());
    for (const auto& e : fs::recursive_directory_iterator(out))  // no temporary files left behind
        EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
}

TEST(ImageCommand, HistogramIsTheSameInEveryMode) {
    testing::TempDir dir;
    testing::write_image((dir.path() / "in" / "a.png").string(), gradient_image(50, 40, 3));
    testing::write_image((dir.path() / "in" / "b.png").string(), noise_image(9, 70, 1));
    std::string first;
    for (const char* mode : {"seq", "threads", "processes", "shm"}) {
        for (const char* tile : {"", "--tile"}) {
            const std::string out = (dir.path() / (std::string("out-") + mode + tile)).string();
            std::vector<std::string> args{"run", "image", (dir.path() / "in").string(), "--ops", "blur:3,invert",
                                          "-o", out, "--histogram", "-m", mode, "-w", "2", "--band-rows", "7"};
            if (*tile) args.push_back(tile);
            const auto r = testing::run_parapipe(args);
            ASSERT_EQ(r.code, 0) << r.err;
            auto j = nlohmann::json::parse(testing::read_file(fs::path(out) / "histogram.json"));
            j.erase("seconds"), j.erase("mpix_per_s");
            if (first.empty()) first = j.dump();
            EXPECT_EQ(j.dump(), first) << mode << tile;
        }
    }
}

TEST(ImageCommand, BadArgumentsExitTwoBeforeWork) {
    testing::TempDir dir;
    const std::string in = testing::write_image((dir.path() / "a.png").string(), noise_image(8, 8, 3));
    const std::string out = (dir.path() / "out").string();
    struct Case {
        std::vector<std::string> args;
        const char* says;
    };
    dir.write("file", "x");
    const std::vector<Case> cases = {
        {{"--ops", "blurr:5", "-o", out}, "unknown op 'blurr'"},
        {{"--ops", "blur:4", "-o", out}, "odd kernel"},
        {{"--ops", "resize:4x4", "-o", out, "--tile"}, "resize cannot be used with --tile"},
        {{"--ops", "invert", "-o", (dir.path() / "file" / "sub").string()}, "cannot create output folder"},
        {{"--ops", "invert", "-o", out, "--format", "gif"}, "--format: 'gif' is not one of"},
        {{"--ops", "invert", "-o", out, "--max-pixels", "lots"}, "bad --max-pixels"},
        {{"--ops", "invert", "-o", out, "--mode", "gpu"}, "--mode: 'gpu' is not one of"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"run", "image", in};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto r = testing::run_parapipe(args);
        EXPECT_EQ(r.code, 2) << c.says << "\n" << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(fs::path(out) / "a.png")) << c.says;
    }
    const auto missing = testing::run_parapipe({"run", "image", (dir.path() / "nope.png").string(), "--ops", "invert",
                                                "-o", out});
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.err.find("nope.png"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace parapipe
