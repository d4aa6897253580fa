#include <parapipe/operators/image/parse_ops.hpp>

#include <charconv>
#include <cstdio>
#include <string>

#include <parapipe/engine/errors.hpp>

namespace parapipe::ops {

namespace {

constexpr int max_blur = 999;         // larger kernels are almost surely typos (and huge halos)
constexpr int max_resize_side = 1 << 16;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The op as typed, with control characters escaped, so an error stays on one line.
std::string shown(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c != 0x7F) {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
        }
    }
    return out;
}

[[noreturn]] void bad(std::string_view op, const std::string& why) {
    throw UsageError("bad op '" + shown(op) + "' in --ops: " + why);
}

// A whole non-negative decimal integer, nothing before or after it.
bool parse_int(std::string_view s, int& out) {
    if (s.empty() || s.front() == '+' || s.front() == '-') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

ImageOp parse_one(std::string_view text) {
    const auto colon = text.find(':');
    const std::string_view name = trim(text.substr(0, colon));
    const bool has_arg = colon != std::string_view::npos;
    const std::string_view arg = has_arg ? trim(text.substr(colon + 1)) : std::string_view{};
    auto no_arg = [&](ImageOpKind kind) {
        if (has_arg) bad(text, std::string(name) + " takes no argument");
        return ImageOp{kind};
    };
    if (name == "grayscale" || name == "gray") return no_arg(ImageOpKind::grayscale);
    if (name == "sobel") return no_arg(ImageOpKind::sobel);
    if (name == "invert") return no_arg(ImageOpKind::invert);
    if (name == "blur") {
        int k = 0;
        if (!has_arg || !parse_int(arg, k) || k < 1 || k % 2 == 0 || k > max_blur)
            bad(text, "blur:K needs an odd kernel size K from 1 to " + std::to_string(max_blur) + ", e.g. blur:5");
        return ImageOp{ImageOpKind::blur, k};
    }
    if (name == "threshold") {
        int t = 0;
        if (!has_arg || !parse_int(arg, t) || t > 255)
            bad(text, "threshold:T needs an integer T from 0 to 255, e.g. threshold:128");
        return ImageOp{ImageOpKind::threshold, t};
    }
    if (name == "resize") {
        const auto x = arg.find_first_of("xX");
        int w = 0, h = 0;
        if (!has_arg || x == std::string_view::npos || !parse_int(arg.substr(0, x), w) ||
            !parse_int(arg.substr(x + 1), h) || w < 1 || h < 1 || w > max_resize_side || h > max_resize_side)
            bad(text, "resize:WxH needs a width and height from 1 to " + std::to_string(max_resize_side) +
                          ", e.g. resize:640x480");
        return ImageOp{ImageOpKind::resize, 0, w, h};
    }
    if (name.empty()) throw UsageError("empty op in --ops '" + shown(text) + "' (two commas in a row?)");
    throw UsageError("unknown op '" + shown(name) + "' in --ops (choose " + image_ops_help() + ")");
}

}  // namespace

const char* image_ops_help() { return "grayscale, blur:K, sobel, threshold:T, invert, resize:WxH"; }

ImageOps parse_image_ops(std::string_view spec) {
    if (trim(spec).empty()) throw UsageError(std::string("--ops is empty (choose ") + image_ops_help() + ")");
    ImageOps ops;
    std::size_t start = 0;
    for (;;) {
        const auto comma = spec.find(',', start);
        const auto piece = spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (trim(piece).empty()) throw UsageError("empty op in --ops '" + shown(spec) + "' (two commas in a row?)");
        ops.push_back(parse_one(trim(piece)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return ops;
}

std::string to_string(const ImageOp& op) {
    switch (op.kind) {
        case ImageOpKind::grayscale: return "grayscale";
        case ImageOpKind::blur: return "blur:" + std::to_string(op.k);
        case ImageOpKind::sobel: return "sobel";
        case ImageOpKind::threshold: return "threshold:" + std::to_string(op.k);
        case ImageOpKind::invert: return "invert";
        case ImageOpKind::resize: return "resize:" + std::to_string(op.width) + "x" + std::to_string(op.height);
    }
    return "?";
}

std::string to_string(const ImageOps& ops) {
    std::string out;
    for (const auto& op : ops) {
        if (!out.empty()) out += ',';
        out += to_string(op);
    }
    return out;
}

}  // namespace parapipe::ops
