#pragma once
// Cheap facts about an encoded image, read from its bytes without decoding: the declared size
// (so an absurd one is refused before a decoder allocates it, and batches are balanced by
// pixels) and whether the file visibly stops early (libjpeg would otherwise "decode" a
// truncated JPEG, padding it with gray, and only print a warning).
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace parapipe::ops {

enum class ImageFormat { unknown, png, jpeg, webp, bmp, tiff, pnm };

struct ImageHeader {
    ImageFormat format = ImageFormat::unknown;
    std::uint64_t width = 0;   ///< 0 when the format was recognized but its size was not found
    std::uint64_t height = 0;
    std::uint64_t pixels() const { return width * height; }
};

/// Size and format from the first bytes of a file (a few KiB are enough except for JPEGs with
/// large metadata: pass up to 256 KiB). PNG, JPEG, WebP, BMP, TIFF, PNM. Thread-safe.
ImageHeader probe_image_header(std::span<const unsigned char> head);

/// For a complete file: why it is visibly truncated (JPEG without its end marker, PNG without
/// IEND, WebP or BMP shorter than declared), or nullopt if it looks whole. Thread-safe.
std::optional<std::string> find_truncation(std::span<const unsigned char> file, ImageFormat format);

}  // namespace parapipe::ops
