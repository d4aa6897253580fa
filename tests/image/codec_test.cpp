// cv::Mat and the image partial through the processes-mode serializer and the shm codec, and the
// exact 64-bit histogram.
#include <gtest/gtest.h>

#include <parapipe/operators/image/histogram.hpp>
#include <parapipe/operators/image/mat_codec.hpp>
#include <parapipe/pipelines/image.hpp>
#include "tests/image/image_test_support.hpp"
#include "tests/support/round_trip.hpp"

namespace parapipe {
namespace {

using testing::round_trip;
using testing::shm_round_trip;

using testing::noise_image;
using testing::same_pixels;

TEST(ImageCodec, MatsSurviveBothCodecs) {
    const cv::Mat color = noise_image(13, 7, 3), gray = noise_image(1, 1000, 1);
    const cv::Mat roi = noise_image(20, 20, 3)(cv::Rect(3, 2, 5, 9));  // not continuous
    const cv::Mat wide(4, 5, CV_16SC2, cv::Scalar(-3, 300));
    for (const cv::Mat& m : {color, gray, roi, wide, cv::Mat()}) {
        EXPECT_TRUE(same_pixels(round_trip(m), m));
        EXPECT_TRUE(same_pixels(shm_round_trip(m), m));
    }
}

TEST(ImageCodec, CorruptMatHeaderThrows) {
    Writer w;
    w.pod<std::int32_t>(1 << 20), w.pod<std::int32_t>(1 << 20), w.pod<std::int32_t>(CV_8UC3);
    Reader r(w.buffer().data(), w.buffer().size());
    cv::Mat m;
    EXPECT_THROW(deserialize(r, m), Error);
}

TEST(ImageCodec, PartialSurvivesBothCodecs) {
    image::Partial p;
    ops::add_to_histogram(noise_image(9, 9, 3), p.histogram);
    p.images = 3, p.pixels = 81, p.input_pixels = 90;
    p.failed = {{"a.png", "empty file"}, {"b.jpg", "truncated"}};
    p.bands = {{0, noise_image(2, 9, 1)}, {2, noise_image(3, 9, 1)}};
    for (const image::Partial& q : {round_trip(p), shm_round_trip(p)}) {
        EXPECT_EQ(q.histogram, p.histogram);
        EXPECT_EQ(q.images, 3u);
        EXPECT_EQ(q.pixels, 81u);
        EXPECT_EQ(q.input_pixels, 90u);
        EXPECT_EQ(q.failed, p.failed);
        ASSERT_EQ(q.bands.size(), 2u);
        EXPECT_EQ(q.bands[1].first, 2);
        EXPECT_TRUE(same_pixels(q.bands[1].second, p.bands[1].second));
    }
}

TEST(ImageHistogram, CountsEveryPixelPerChannel) {
    const cv::Mat color = noise_image(31, 17, 3), gray = noise_image(5, 1001, 1);
    ops::ImageHistogram h;
    ops::add_to_histogram(color, h);
    ops::add_to_histogram(gray, h);
    ops::add_to_histogram(color(cv::Rect(1, 1, 4, 4)), h);  // an ROI with a stride
    std::array<std::uint64_t, 1024> want{};
    auto count = [&](const cv::Mat& m, int base) {
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                for (int c = 0; c < m.channels(); ++c) ++want[(base + c) * 256 + m.ptr<uchar>(y)[x * m.channels() + c]];
    };
    count(color, 1), count(gray, 0), count(color(cv::Rect(1, 1, 4, 4)), 1);
    EXPECT_EQ(h.bins, want);
    EXPECT_EQ(h.total(0), 5u * 1001);
    EXPECT_EQ(h.total(3), 31u * 17 + 16);
    ops::ImageHistogram twice = h;
    twice.merge(h);
    EXPECT_EQ(twice.total(1), 2 * h.total(1));
}

}  // namespace
}  // namespace parapipe
