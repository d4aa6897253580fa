#pragma once
// Running an op chain on an image. Each op is exactly the OpenCV call sequence documented in
// operators/image/op.hpp, so results are pixel-identical to calling OpenCV by hand.
#include <opencv2/core/mat.hpp>

#include <parapipe/operators/image/op.hpp>

namespace parapipe::ops {

/// Applies one op. `src` is 8-bit with 1 or 3 channels; the result is 8-bit too.
/// Thread-safe (OpenCV may use its own threads unless cv::setNumThreads(1) was called).
cv::Mat apply_image_op(const cv::Mat& src, const ImageOp& op);

/// Applies the chain in order: `apply_image_ops(img, parse_image_ops("grayscale,sobel"))`.
cv::Mat apply_image_ops(const cv::Mat& src, const ImageOps& ops);

/// Channels of the chain's output for an input with `channels` channels (grayscale makes 1).
int image_ops_channels(const ImageOps& ops, int channels);

/// Size of the chain's output for an input of `size` (resize changes it; nothing else does).
cv::Size image_ops_size(const ImageOps& ops, cv::Size size);

}  // namespace parapipe::ops
