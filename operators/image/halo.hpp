#pragma once
// Tiles: computing a band of rows of an op chain's output from a band of input rows.
//
// Why it is exact: an op with vertical radius r (blur:K has K/2, sobel 1, per-pixel ops 0)
// needs r rows above and below each output row. The band [y0, y1) is computed from input rows
// [y0 - R, y1 + R) clipped to the image, where R is the chain's total radius. Each op runs on
// the whole buffer, so rows within r of a buffer edge are wrong after it, unless that edge is
// the image's true edge: there OpenCV's BORDER_REFLECT_101 reflects exactly as it does on the
// whole image, because the buffer holds at least R + 1 real rows past the edge (or the whole
// image). After all ops the wrong rows are at most R from each cut edge: exactly the halo,
// which is dropped. Width is never cut, so columns need no halo.
#include <opencv2/core/mat.hpp>

#include <parapipe/operators/image/op.hpp>

namespace parapipe::ops {

/// Rows each side an op needs (its vertical kernel radius).
int image_op_halo(const ImageOp& op);
/// Sum over the chain: the halo a band needs so the chain's output rows are exact.
int image_ops_halo(const ImageOps& ops);
/// True if every op can run on bands (resize cannot: INTER_AREA bands would not be exact).
bool image_ops_tileable(const ImageOps& ops);

/// Input rows [first, last) that band [y0, y1) of the output needs, for an image of `rows` rows.
cv::Range band_input_rows(const ImageOps& ops, int rows, int y0, int y1);

/// Output rows [y0, y1) of apply_image_ops(whole, ops), computed from `whole`'s rows
/// band_input_rows(...) only; pixel-identical to the same rows of the whole-image result.
/// `whole` is only read. Thread-safe. Throws Error if the chain is not tileable.
cv::Mat apply_image_ops_band(const cv::Mat& whole, const ImageOps& ops, int y0, int y1);

}  // namespace parapipe::ops
