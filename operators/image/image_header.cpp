#include <parapipe/operators/image/image_header.hpp>

#include <cctype>
#include <cstring>

namespace parapipe::ops {

namespace {

using Bytes = std::span<const unsigned char>;

std::uint32_t be16(Bytes b, std::size_t at) { return (std::uint32_t(b[at]) << 8) | b[at + 1]; }
std::uint32_t be32(Bytes b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }
std::uint32_t le16(Bytes b, std::size_t at) { return b[at] | (std::uint32_t(b[at + 1]) << 8); }
std::uint32_t le24(Bytes b, std::size_t at) { return le16(b, at) | (std::uint32_t(b[at + 2]) << 16); }
std::uint32_t le32(Bytes b, std::size_t at) { return le16(b, at) | (le16(b, at + 2) << 16); }
bool starts(Bytes b, const char* magic, std::size_t at = 0) {
    const std::size_t n = std::strlen(magic);
    return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

ImageHeader png(Bytes b) {
    ImageHeader h{ImageFormat::png};
    if (b.size() >= 24 && starts(b, "IHDR", 12)) h.width = be32(b, 16), h.height = be32(b, 20);
    return h;
}

// Markers until the first SOFn (any frame type but DHT C4, JPG C8, DAC CC).
ImageHeader jpeg(Bytes b) {
    ImageHeader h{ImageFormat::jpeg};
    std::size_t pos = 2;
    while (pos + 4 <= b.size()) {
        if (b[pos] != 0xFF) return h;
        while (pos < b.size() && b[pos] == 0xFF) ++pos;
        if (pos + 3 > b.size()) return h;
        const unsigned m = b[pos++];
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length
        if (m == 0xD9 || m == 0xDA) return h;                             // image data before a frame
        const std::size_t len = be16(b, pos);
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (pos + 7 <= b.size()) h.height = be16(b, pos + 3), h.width = be16(b, pos + 5);
            return h;
        }
        pos += len;
    }
    return h;
}

ImageHeader webp(Bytes b) {
    ImageHeader h{ImageFormat::webp};
    if (starts(b, "VP8 ", 12) && b.size() >= 30) {
        h.width = le16(b, 26) & 0x3FFF, h.height = le16(b, 28) & 0x3FFF;
    } else if (starts(b, "VP8L", 12) && b.size() >= 25 && b[20] == 0x2F) {
        const std::uint32_t bits = le32(b, 21);
        h.width = (bits & 0x3FFF) + 1, h.height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (starts(b, "VP8X", 12) && b.size() >= 30) {
        h.width = le24(b, 24) + 1, h.height = le24(b, 27) + 1;
    }
    return h;
}

ImageHeader bmp(Bytes b) {
    ImageHeader h{ImageFormat::bmp};
    if (b.size() < 26) return h;
    if (le32(b, 14) == 12) {  // BITMAPCOREHEADER: 16-bit sizes
        h.width = le16(b, 18), h.height = le16(b, 20);
    } else {
        const auto w = static_cast<std::int32_t>(le32(b, 18)), hh = static_cast<std::int32_t>(le32(b, 22));
        h.width = static_cast<std::uint64_t>(w < 0 ? -std::int64_t(w) : w);
        h.height = static_cast<std::uint64_t>(hh < 0 ? -std::int64_t(hh) : hh);  // negative: top-down
    }
    return h;
}

// The first IFD's ImageWidth (256) and ImageLength (257); classic TIFF only, not BigTIFF.
ImageHeader tiff(Bytes b) {
    ImageHeader h{ImageFormat::tiff};
    const bool le = b[0] == 'I';
    auto u16 = [&](std::size_t at) { return le ? le16(b, at) : be16(b, at); };
    auto u32 = [&](std::size_t at) { return le ? le32(b, at) : be32(b, at); };
    if (b.size() < 8 || u16(2) != 42) return h;
    const std::size_t ifd = u32(4);
    if (ifd + 2 > b.size()) return h;
    const std::size_t count = u16(ifd);
    for (std::size_t i = 0; i < count && ifd + 2 + 12 * (i + 1) <= b.size(); ++i) {
        const std::size_t e = ifd + 2 + 12 * i;
        const unsigned tag = u16(e), type = u16(e + 2);
        if (tag != 256 && tag != 257) continue;
        const std::uint64_t v = type == 3 ? u16(e + 8) : type == 4 ? u32(e + 8) : 0;
        (tag == 256 ? h.width : h.height) = v;
    }
    if (!h.width || !h.height) h.width = h.height = 0;
    return h;
}

// "P6\n# comment\n640 480\n255\n".
ImageHeader pnm(Bytes b) {
    ImageHeader h{ImageFormat::pnm};
    std::size_t pos = 2;
    std::uint64_t v[2] = {0, 0};
    for (auto& out : v) {
        for (;;) {
            while (pos < b.size() && std::isspace(b[pos])) ++pos;
            if (pos < b.size() && b[pos] == '#') {
                while (pos < b.size() && b[pos] != '\n') ++pos;
                continue;
            }
            break;
        }
        if (pos >= b.size() || !std::isdigit(b[pos])) return h;
        while (pos < b.size() && std::isdigit(b[pos]) && out < (std::uint64_t{1} << 40)) out = out * 10 + (b[pos++] - '0');
    }
    h.width = v[0], h.height = v[1];
    return h;
}

std::optional<std::string> jpeg_truncation(Bytes b) {
    const std::string missing = "truncated: the JPEG stops before its end-of-image marker";
    std::size_t pos = 2;
    while (pos < b.size()) {
        if (b[pos] != 0xFF) return "corrupt: bad JPEG marker at byte " + std::to_string(pos);
        while (pos < b.size() && b[pos] == 0xFF) ++pos;
        if (pos >= b.size()) return missing;
        const unsigned m = b[pos++];
        if (m == 0xD9) return std::nullopt;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;
        if (pos + 2 > b.size()) return missing;
        const std::size_t len = be16(b, pos);
        if (len < 2 || pos + len > b.size()) return missing;
        pos += len;
        if (m != 0xDA) continue;
        // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
        for (;;) {
            while (pos < b.size() && b[pos] != 0xFF) ++pos;
            if (pos + 1 >= b.size()) return missing;
            const unsigned next = b[pos + 1];
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) pos += 2;
            else if (next == 0xFF) pos += 1;
            else break;
        }
    }
    return missing;
}

std::optional<std::string> png_truncation(Bytes b) {
    std::size_t pos = 8;
    while (pos + 8 <= b.size()) {
        const std::uint64_t len = be32(b, pos);
        const bool iend = starts(b, "IEND", pos + 4);
        if (pos + 12 + len > b.size()) break;
        if (iend) return std::nullopt;
        pos += 12 + len;
    }
    return "truncated: the PNG stops before its IEND chunk";
}

}  // namespace

ImageHeader probe_image_header(std::span<const unsigned char> b) {
    if (starts(b, "\x89PNG\r\n\x1a\n")) return png(b);
    if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg(b);
    if (starts(b, "RIFF") && starts(b, "WEBP", 8)) return webp(b);
    if (starts(b, "BM")) return bmp(b);
    if (starts(b, "II*") || starts(b, "MM")) {
        if (b.size() >= 4 && ((b[0] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[2] == 0 && b[3] == 42)))
            return tiff(b);
    }
    if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && std::isspace(b[2])) return pnm(b);
    return {};
}

std::optional<std::string> find_truncation(std::span<const unsigned char> b, ImageFormat format) {
    switch (format) {
        case ImageFormat::jpeg: return jpeg_truncation(b);
        case ImageFormat::png: return png_truncation(b);
        case ImageFormat::webp:
            if (b.size() >= 8 && std::uint64_t(le32(b, 4)) + 8 > b.size())
                return "truncated: the WebP is shorter than its RIFF header says";
            return std::nullopt;
        case ImageFormat::bmp:
            if (b.size() >= 6 && le32(b, 2) > b.size()) return "truncated: the BMP is shorter than its header says";
            return std::nullopt;
        default: return std::nullopt;
    }
}

}  // namespace parapipe::ops
