#pragma once
// The baseline the image benchmarks compare with: a plain sequential C++ loop over the images
// that calls OpenCV directly and lets OpenCV use its own internal threads (no parapipe).
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace parapipe::bench {

/// grayscale,blur:5,sobel by direct OpenCV calls.
cv::Mat baseline_gray_blur_sobel(const cv::Mat& bgr);

/// For each path: imread, baseline_gray_blur_sobel, imwrite as PNG into out_dir. Returns the
/// input pixels processed.
std::uint64_t baseline_batch(const std::vector<std::string>& paths, const std::string& out_dir);

}  // namespace parapipe::bench
