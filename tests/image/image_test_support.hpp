#pragma once
// Helpers of the image tests: generated images (noise, gradients, odd sizes) and exact
// comparison of matrices.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace parapipe::testing {

/// Uniform noise, 8-bit, deterministic for the seed.
inline cv::Mat noise_image(int rows, int cols, int channels, std::uint64_t seed = 7) {
    cv::Mat m(rows, cols, CV_8UC(channels));
    cv::RNG rng(seed);
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

/// Diagonal gradients per channel with a little noise: smooth areas and edges.
inline cv::Mat gradient_image(int rows, int cols, int channels, std::uint64_t seed = 11) {
    cv::Mat m(rows, cols, CV_8UC(channels));
    cv::RNG rng(seed);
    for (int y = 0; y < rows; ++y)
        for (int x = 0; x < cols; ++x)
            for (int c = 0; c < channels; ++c)
                m.ptr<uchar>(y)[x * channels + c] =
                    cv::saturate_cast<uchar>((x * 255) / std::max(1, cols - 1) * (c + 1) / 3 + (y * 3) % 97 +
                                             rng.uniform(-4, 5));
    return m;
}

/// Same size, type and every pixel.
inline ::testing::AssertionResult same_pixels(const cv::Mat& a, const cv::Mat& b) {
    if (a.size() != b.size() || a.type() != b.type())
        return ::testing::AssertionFailure() << "size/type differ: " << a.cols << "x" << a.rows << " type " << a.type()
                                             << " vs " << b.cols << "x" << b.rows << " type " << b.type();
    if (a.total() == 0) return ::testing::AssertionSuccess();
    const double d = cv::norm(a.reshape(1), b.reshape(1), cv::NORM_INF);
    if (d != 0) return ::testing::AssertionFailure() << "pixels differ by up to " << d;
    return ::testing::AssertionSuccess();
}

/// Writes `img` with imwrite (format from the extension); returns the path.
inline std::string write_image(const std::string& path, const cv::Mat& img) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    if (!cv::imwrite(path, img)) throw std::runtime_error("cannot write " + path);
    return path;
}

/// The sizes the op tests run on: single pixels, single rows and columns, odd shapes.
inline std::vector<cv::Size> odd_sizes() {
    return {{1, 1}, {3, 7}, {7, 3}, {1000, 1}, {1, 1000}, {2, 2}, {33, 17}, {64, 48}};
}

}  // namespace parapipe::testing
