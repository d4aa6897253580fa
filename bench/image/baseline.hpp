#pragma once
// The baseline the image benchmarks compare with: a plain loop over the images that calls OpenCV
// directly (imread, the op chain's OpenCV calls, imwrite) and nothing of parapipe's image code:
// no header probing, no histogram, no atomic writes. It is written apart from
// operators/image/apply_ops.cpp on purpose, from the op table in the README, so that a slip in
// either shows up as different output bytes in `parapipe bench image --baselines`.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace parapipe::bench {

/// grayscale,blur:5,sobel by direct OpenCV calls.
cv::Mat baseline_gray_blur_sobel(const cv::Mat& bgr);

/// `chain` ("grayscale,blur:5,sobel", the names of `run image --ops`) by direct OpenCV calls.
/// Throws std::invalid_argument on an op it does not know.
cv::Mat baseline_ops(const cv::Mat& img, const std::string& chain);

/// For each (input, output) path: imread (8-bit, gray or BGR), baseline_ops, imwrite (JPEG at
/// quality 95, as parapipe writes it). Throws std::runtime_error naming a file it cannot read or
/// write. Returns the input pixels processed.
std::uint64_t baseline_loop(const std::vector<std::pair<std::string, std::string>>& files, const std::string& chain);

/// For each path: imread, baseline_gray_blur_sobel, imwrite as PNG into out_dir. Returns the
/// input pixels processed.
std::uint64_t baseline_batch(const std::vector<std::string>& paths, const std::string& out_dir);

}  // namespace parapipe::bench
