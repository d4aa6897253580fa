// Batch: every mode and worker count writes the same files and the same histogram as seq, and
// seq writes exactly what direct OpenCV calls give.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <parapipe/engine/run.hpp>
#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/histogram.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>
#include "tests/image/image_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using testing::gradient_image;
using testing::noise_image;
using testing::same_pixels;

// A small folder of mixed images: odd sizes, gray and colour, PNG, JPEG, BMP, TIFF, WebP, PGM, in
// subfolders.
void make_inputs(const fs::path& dir) {
    fs::create_directories(dir / "sub" / "deeper");
    testing::write_image((dir / "a.png").string(), gradient_image(40, 60, 3));
    testing::write_image((dir / "one.png").string(), noise_image(1, 1, 3));
    testing::write_image((dir / "row.png").string(), noise_image(1, 1000, 1));
    testing::write_image((dir / "odd.bmp").string(), noise_image(7, 3, 3));
    testing::write_image((dir / "sub" / "b.jpg").string(), gradient_image(33, 50, 3));
    testing::write_image((dir / "sub" / "c.tif").string(), noise_image(20, 9, 1));
    testing::write_image((dir / "sub" / "deeper" / "d.webp").string(), gradient_image(16, 16, 3));
    testing::write_image((dir / "sub" / "deeper" / "e.pgm").string(), gradient_image(12, 5, 1));
    std::ofstream(dir / "notes.txt") << "not an image, not picked up from folders\n";
}

std::vector<fs::path> files_under(const fs::path& dir) {
    std::vector<fs::path> out;
    for (auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir));
    std::sort(out.begin(), out.end());
    return out;
}

TEST(ImageBatch, FindsImagesRecursivelyInSortedOrder) {
    testing::TempDir dir;
    make_inputs(dir.path() / "in");
    const auto inputs = image::find_inputs({(dir.path() / "in").string()});
    std::vector<std::string> rel;
    for (const auto& in : inputs) rel.push_back(in.relative);
    EXPECT_EQ(rel, (std::vector<std::string>{"a.png", "odd.bmp", "one.png", "row.png", "sub/b.jpg", "sub/c.tif",
                                             "sub/deeper/d.webp", "sub/deeper/e.pgm"}));
    EXPECT_EQ(inputs[0].width, 60u);
    EXPECT_EQ(inputs[0].height, 40u);
    EXPECT_EQ(inputs[0].weight, 2400u);
}

TEST(ImageBatch, SeqWritesWhatOpenCvGives) {
    testing::TempDir dir;
    make_inputs(dir.path() / "in");
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("grayscale,blur:5,sobel");
    cfg.output_dir = (dir.path() / "out").string();
    cfg.format = image::OutputFormat::png;
    const auto inputs = image::find_inputs({(dir.path() / "in").string()}, cfg.output_dir, cfg.format);
    const auto r = run(image::make_batch_plan(inputs, cfg), RunOptions{.mode = Mode::seq});
    EXPECT_EQ(r.images, inputs.size());
    EXPECT_TRUE(r.failed.empty());
    ops::ImageHistogram want;
    for (const auto& in : inputs) {
        const cv::Mat src = cv::imread(in.path, cv::IMREAD_ANYCOLOR);
        const cv::Mat out = ops::apply_image_ops(src, cfg.ops);
        ops::add_to_histogram(out, want);
        const fs::path written = fs::path(cfg.output_dir) / fs::path(in.relative).replace_extension(".png");
        EXPECT_TRUE(same_pixels(cv::imread(written.string(), cv::IMREAD_UNCHANGED), out)) << in.relative;
    }
    EXPECT_EQ(r.histogram, want);
    EXPECT_EQ(r.histogram.total(0), r.pixels);  // all outputs are gray
}

TEST(ImageBatch, EveryModeEqualsSeq) {
    testing::TempDir dir;
    make_inputs(dir.path() / "in");
    for (const char* chain : {"grayscale,blur:5,sobel", "blur:3,threshold:100,invert", "resize:17x9,blur:3"}) {
        image::Config cfg;
        cfg.ops = ops::parse_image_ops(chain);
        cfg.format = image::OutputFormat::same;
        auto out_dir = [&](const std::string& name) { return (dir.path() / "out" / chain / name).string(); };
        cfg.output_dir = out_dir("seq-1");
        const auto inputs = image::find_inputs({(dir.path() / "in").string()}, cfg.output_dir);
        const auto want = run(image::make_batch_plan(inputs, cfg), RunOptions{.mode = Mode::seq});
        ASSERT_EQ(want.images, inputs.size());
        const auto want_files = files_under(cfg.output_dir);
        ASSERT_EQ(want_files.size(), inputs.size());
        for (const auto& mc : testing::all_mode_cases()) {
            if (mc.mode == Mode::seq) continue;
            SCOPED_TRACE(std::string(chain) + " " + mc.name());
            cfg.output_dir = out_dir(mc.name());
            cfg.workers = mc.workers;
            const auto r = run(image::make_batch_plan(inputs, cfg), RunOptions{.mode = mc.mode, .workers = mc.workers});
            EXPECT_EQ(r.histogram, want.histogram);
            EXPECT_EQ(r.images, want.images);
            EXPECT_EQ(r.pixels, want.pixels);
            EXPECT_EQ(r.input_pixels, want.input_pixels);
            EXPECT_TRUE(r.failed.empty());
            ASSERT_EQ(files_under(cfg.output_dir), want_files);
            for (const auto& f : want_files)
                EXPECT_EQ(testing::read_file(fs::path(cfg.output_dir) / f),
                          testing::read_file(fs::path(out_dir("seq-1")) / f))
                    << f;
        }
    }
}

TEST(ImageBatch, ReferenceLoopEqualsPlan) {
    testing::TempDir dir;
    make_inputs(dir.path() / "in");
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("grayscale,blur:5,sobel");
    const auto inputs = image::find_inputs({(dir.path() / "in").string()});
    const auto want = image::run_reference(inputs, cfg);
    cfg.workers = 2;
    const auto got = run(image::make_batch_plan(inputs, cfg), RunOptions{.mode = Mode::threads, .workers = 2});
    EXPECT_EQ(got.histogram, want.histogram);
    EXPECT_EQ(got.images, want.images);
}

TEST(ImageBatch, ChunksBalancePixelsAndCoverEveryImageOnce) {
    std::vector<image::Input> inputs;
    for (int i = 0; i < 40; ++i) inputs.push_back({"x" + std::to_string(i), "x", 0, 0, std::uint64_t(1 + i % 7) * 1000});
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("invert");
    cfg.workers = 2;
    const auto plan = image::make_batch_plan(inputs, cfg);
    EXPECT_EQ(plan.chunk_count, 8u);
    std::uint64_t total = 0, lo = ~0ull, hi = 0;
    for (std::size_t c = 0; c < plan.chunk_count; ++c) {
        const auto w = plan.weight(c);
        total += w, lo = std::min(lo, w), hi = std::max(hi, w);
    }
    std::uint64_t want = 0;
    for (const auto& in : inputs) want += in.weight;
    EXPECT_EQ(total, want);
    EXPECT_LE(hi - lo, 7000u);  // within one image of each other
}

TEST(ImageBatch, NeverReadsItsOwnOutputFolder) {
    testing::TempDir dir;
    make_inputs(dir.path() / "in");
    const std::string out = (dir.path() / "in" / "out").string();
    testing::write_image((fs::path(out) / "old-output.png").string(), noise_image(3, 3, 1));
    const auto inputs = image::find_inputs({(dir.path() / "in").string()}, out);
    EXPECT_EQ(inputs.size(), 8u);
    for (const auto& in : inputs) EXPECT_EQ(in.relative.find("out/"), std::string::npos) << in.relative;
}

// The shared walker's policy (engine/walk.hpp): hidden entries skipped, symlinked folders not
// followed, links to files taken, dangling links not inputs; the output folder is never read,
// however it is spelled, but an input folder inside it is.
TEST(ImageBatch, WalksFoldersLikeEveryOtherSource) {
    testing::TempDir dir;
    const fs::path in = dir.path() / "in";
    testing::write_image((in / "a.png").string(), noise_image(2, 3, 3));
    testing::write_image((in / "sub" / "b.png").string(), noise_image(2, 2, 1));
    testing::write_image((in / ".hidden" / "h.png").string(), noise_image(2, 2, 1));
    testing::write_image((in / ".h.png").string(), noise_image(2, 2, 1));
    testing::write_image((in / "out" / "old.png").string(), noise_image(2, 2, 1));
    fs::create_symlink("a.png", in / "link.png");
    fs::create_symlink("missing.png", in / "dangling.png");
    fs::create_directory_symlink("sub", in / "linked");
    auto relatives = [](const std::vector<image::Input>& inputs) {
        std::vector<std::string> rel;
        for (const auto& i : inputs) rel.push_back(i.relative);
        return rel;
    };
    const std::vector<std::string> want{"a.png", "link.png", "sub/b.png"};
    EXPECT_EQ(relatives(image::find_inputs({in.string()}, (in / "out").string())), want);
    EXPECT_EQ(relatives(image::find_inputs({in.string() + "/"}, (in / "sub" / ".." / "out" / "").string())), want);
    EXPECT_EQ(relatives(image::find_inputs({(in / "out").string()}, in.string())), std::vector<std::string>{"old.png"});
    EXPECT_EQ(image::find_inputs({in.string()}, (in / "out").string())[1].path, (in / "link.png").string());
}

TEST(ImageBatch, RefusesOutputsThatWouldCollide) {
    testing::TempDir dir;
    testing::write_image((dir.path() / "x.png").string(), noise_image(2, 2, 3));
    testing::write_image((dir.path() / "x.jpg").string(), noise_image(2, 2, 3));
    EXPECT_THROW(image::find_inputs({(dir.path() / "x.png").string(), (dir.path() / "x.jpg").string()}, "",
                                    image::OutputFormat::png),
                 UsageError);
    EXPECT_THROW(image::find_inputs({(dir.path() / "missing.png").string()}), UsageError);
    EXPECT_THROW(image::find_inputs({(dir.path() / "x.png").string()}, dir.path().string()), UsageError);
}

}  // namespace
}  // namespace parapipe
