#pragma once
// The invariant of the image op-chain parser (operators/image/parse_ops.hpp), shared by the
// fuzz target and tests/hardening/fuzz_regressions_test.cpp. "" when it holds.
#include <algorithm>
#include <string>
#include <string_view>

#include <parapipe/engine/errors.hpp>
#include <parapipe/operators/image/parse_ops.hpp>

namespace parapipe::fuzz {

/// parse_image_ops either throws UsageError or returns one op per comma-separated item, each
/// with arguments in range, which to_string() writes back into a spec that parses the same.
inline std::string check_image_ops(std::string_view spec) {
    ops::ImageOps parsed;
    try {
        parsed = ops::parse_image_ops(spec);
    } catch (const UsageError&) {
        return "";
    }
    const auto items = static_cast<std::size_t>(std::count(spec.begin(), spec.end(), ',')) + 1;
    if (parsed.size() != items) return "op count differs from the comma-separated items";
    for (const auto& op : parsed) {
        switch (op.kind) {
            case ops::ImageOpKind::blur:
                if (op.k < 1 || op.k % 2 == 0 || op.k > 999) return "blur kernel out of range: " + ops::to_string(op);
                break;
            case ops::ImageOpKind::threshold:
                if (op.k < 0 || op.k > 255) return "threshold out of range: " + ops::to_string(op);
                break;
            case ops::ImageOpKind::resize:
                if (op.width < 1 || op.height < 1 || op.width > 65536 || op.height > 65536)
                    return "resize out of range: " + ops::to_string(op);
                break;
            default: break;
        }
    }
    const std::string again = ops::to_string(parsed);
    try {
        if (ops::parse_image_ops(again) != parsed) return "to_string does not parse back: '" + again + "'";
    } catch (const UsageError& e) {
        return "to_string output is refused: '" + again + "': " + e.what();
    }
    return "";
}

}  // namespace parapipe::fuzz
