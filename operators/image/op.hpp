#pragma once
// One step of an image op chain (`--ops grayscale,blur:5,sobel`): what it is and its argument.
// Plain data; parse with ops::parse_image_ops (operators/image/parse_ops.hpp), run with
// ops::apply_image_ops (operators/image/apply_ops.hpp).
#include <string>
#include <vector>

namespace parapipe::ops {

/// The image operators. Each is defined by one OpenCV call sequence (apply_ops.cpp).
enum class ImageOpKind {
    grayscale,  ///< cvtColor BGR2GRAY; no-op on one channel
    blur,       ///< GaussianBlur K×K, sigma 0, BORDER_DEFAULT
    sobel,      ///< |Sobel dx| and |Sobel dy| (CV_16S, ksize 3) blended 0.5 / 0.5
    threshold,  ///< threshold at T, max 255, THRESH_BINARY
    invert,     ///< bitwise_not
    resize,     ///< resize to W×H, INTER_AREA
};

struct ImageOp {
    ImageOpKind kind = ImageOpKind::grayscale;
    int k = 0;          ///< blur: kernel size (odd); threshold: T (0..255)
    int width = 0;      ///< resize
    int height = 0;     ///< resize

    friend bool operator==(const ImageOp&, const ImageOp&) = default;
};

using ImageOps = std::vector<ImageOp>;

/// "blur:5", the form parse_image_ops reads back.
std::string to_string(const ImageOp& op);
/// "grayscale,blur:5,sobel".
std::string to_string(const ImageOps& ops);

}  // namespace parapipe::ops
