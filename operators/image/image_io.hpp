#pragma once
// Reading and writing image files safely: decoding with checks before the decoder runs, and
// atomic writes (a temporary file in the target's folder, renamed over the target when
// complete), so a crash or kill never leaves a half-written image. Both are thread-safe and
// fork-safe: batch workers of every mode call them directly.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

#include <parapipe/engine/errors.hpp>

namespace parapipe::ops {

/// An input that cannot be used: unreadable, empty, truncated, corrupt, or too large.
/// The image pipeline reports it by path and goes on with the others.
class BadImage : public Error {
public:
    using Error::Error;
};

/// The default cap on an input's declared pixels (--max-pixels): 256 MPix.
constexpr std::uint64_t default_max_pixels = 256'000'000;

/// The whole file. Throws BadImage ("cannot read: Permission denied", "empty file").
std::vector<unsigned char> read_image_file(const std::string& path);

/// Decodes to 8-bit gray (one-channel files) or BGR (all others), after refusing sizes above
/// `max_pixels` from the header and visibly truncated files. Throws BadImage with the reason.
cv::Mat decode_image(std::span<const unsigned char> bytes, std::uint64_t max_pixels = default_max_pixels);

/// read_image_file then decode_image.
cv::Mat load_image(const std::string& path, std::uint64_t max_pixels = default_max_pixels);

/// Encodes `img` in the format of `path`'s extension (JPEG quality 95, PNG and WebP lossless)
/// and writes it atomically. Throws Error (no encoder for the extension, disk full...).
/// No fsync: atomic against crashes of this process, not durable against power loss.
void write_image_atomically(const std::string& path, const cv::Mat& img);

/// True for extensions (".png", ".JPG"...) of formats OpenCV decodes here; used to pick files
/// out of directories.
bool is_image_extension(std::string_view ext);

}  // namespace parapipe::ops
