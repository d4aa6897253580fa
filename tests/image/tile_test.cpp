// Tiles: bands with halos stitched back equal the whole-image result, for band heights down to
// one row, and the tile plan gives that result in every mode and worker count.
#include <filesystem>

#include <gtest/gtest.h>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/run.hpp>
#include <parapipe/operators/image/apply_ops.hpp>
#include <parapipe/operators/image/halo.hpp>
#include <parapipe/operators/image/histogram.hpp>
#include <parapipe/operators/image/parse_ops.hpp>
#include <parapipe/pipelines/image.hpp>
#include "tests/image/image_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::gradient_image;
using testing::noise_image;
using testing::same_pixels;

cv::Mat stitch(const cv::Mat& src, const ops::ImageOps& ops, int band_rows) {
    std::vector<cv::Mat> bands;
    for (int y = 0; y < src.rows; y += band_rows)
        bands.push_back(ops::apply_image_ops_band(src, ops, y, std::min(src.rows, y + band_rows)));
    cv::Mat out;
    cv::vconcat(bands, out);
    return out;
}

TEST(ImageTile, HaloIsTheSumOfKernelRadii) {
    EXPECT_EQ(ops::image_ops_halo(ops::parse_image_ops("grayscale,blur:5,sobel")), 3);
    EXPECT_EQ(ops::image_ops_halo(ops::parse_image_ops("blur:1,threshold:9,invert")), 0);
    EXPECT_EQ(ops::image_ops_halo(ops::parse_image_ops("blur:15,blur:3,sobel,sobel")), 7 + 1 + 1 + 1);
    EXPECT_FALSE(ops::image_ops_tileable(ops::parse_image_ops("blur:3,resize:4x4")));
    EXPECT_EQ(ops::band_input_rows(ops::parse_image_ops("blur:5"), 100, 0, 10), cv::Range(0, 12));
    EXPECT_EQ(ops::band_input_rows(ops::parse_image_ops("blur:5"), 100, 50, 60), cv::Range(48, 62));
    EXPECT_EQ(ops::band_input_rows(ops::parse_image_ops("blur:5"), 100, 95, 100), cv::Range(93, 100));
}

// Every band height from 1 row to the whole image, on heights below, at and above the halo.
TEST(ImageTile, BandsEqualWholeImageForEveryBandHeight) {
    const char* chains[] = {"blur:3", "blur:7", "sobel", "grayscale,blur:5,sobel", "blur:5,blur:3,sobel,threshold:60,invert",
                            "blur:15", "invert,blur:9,grayscale"};
    for (const char* chain : chains) {
        const auto ops = ops::parse_image_ops(chain);
        for (int rows : {1, 2, 3, 5, 8, 21}) {
            for (int cols : {1, 4, 31}) {
                for (int channels : {1, 3}) {
                    for (const cv::Mat& src : {noise_image(rows, cols, channels), gradient_image(rows, cols, channels)}) {
                        const cv::Mat whole = ops::apply_image_ops(src, ops);
                        for (int band = 1; band <= rows; ++band) {
                            ASSERT_TRUE(same_pixels(stitch(src, ops, band), whole))
                                << chain << " on " << cols << "x" << rows << "x" << channels << ", bands of " << band;
                        }
                    }
                }
            }
        }
    }
}

TEST(ImageTile, TallImageBandsOfOneRowEqualWholeImage) {
    const cv::Mat src = noise_image(200, 13, 3, 99);
    for (const char* chain : {"grayscale,blur:5,sobel", "blur:31,sobel"}) {
        const auto ops = ops::parse_image_ops(chain);
        const cv::Mat whole = ops::apply_image_ops(src, ops);
        for (int band : {1, 2, 7, 64, 199, 200}) EXPECT_TRUE(same_pixels(stitch(src, ops, band), whole)) << chain << " " << band;
    }
}

// The tile plan in every mode and worker count (incl. shm writing bands in place, processes
// sending them back), band heights down to one row: the seq result, which is the whole image.
TEST(ImageTile, PlanEqualsWholeImageInEveryMode) {
    testing::TempDir dir;
    const cv::Mat src = gradient_image(37, 23, 3);
    const std::string path = testing::write_image((dir.path() / "big.png").string(), src);
    for (const char* chain : {"grayscale,blur:5,sobel", "blur:3,invert"}) {
        image::Config cfg;
        cfg.ops = ops::parse_image_ops(chain);
        const cv::Mat whole = ops::apply_image_ops(src, cfg.ops);
        ops::ImageHistogram want;
        ops::add_to_histogram(whole, want);
        for (int band_rows : {1, 4, 0}) {
            for (const auto& mc : testing::all_mode_cases()) {
                SCOPED_TRACE(std::string(chain) + " " + mc.name() + " band_rows " + std::to_string(band_rows));
                cfg.workers = mc.workers;
                cfg.band_rows = band_rows;
                const auto plan = image::make_tile_plan({path, "big.png"}, cfg);
                const image::Result r = run(plan, RunOptions{.mode = mc.mode, .workers = mc.workers});
                EXPECT_TRUE(same_pixels(r.image, whole));
                EXPECT_EQ(r.histogram, want);
                EXPECT_EQ(r.images, 1u);
                EXPECT_EQ(r.pixels, whole.total());
                EXPECT_TRUE(r.failed.empty());
            }
        }
    }
}

TEST(ImageTile, WritesTheStitchedImage) {
    testing::TempDir dir;
    const cv::Mat src = noise_image(30, 17, 1);
    const std::string path = testing::write_image((dir.path() / "in.png").string(), src);
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("blur:5,sobel");
    cfg.output_dir = (dir.path() / "out").string();
    cfg.band_rows = 3;
    run(image::make_tile_plan({path, "in.png"}, cfg), RunOptions{.mode = Mode::shm, .workers = 2});
    const cv::Mat written = cv::imread((dir.path() / "out" / "in.png").string(), cv::IMREAD_UNCHANGED);
    EXPECT_TRUE(same_pixels(written, ops::apply_image_ops(src, cfg.ops)));
}

TEST(ImageTile, RefusesResize) {
    testing::TempDir dir;
    const std::string path = testing::write_image((dir.path() / "in.png").string(), noise_image(8, 8, 3));
    image::Config cfg;
    cfg.ops = ops::parse_image_ops("blur:3,resize:4x4");
    EXPECT_THROW(image::make_tile_plan({path, "in.png"}, cfg), UsageError);
}

}  // namespace
}  // namespace parapipe
