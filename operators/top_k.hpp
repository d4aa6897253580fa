#pragma once
// Orders counted keys the way every parapipe output does: count descending, then key bytes
// ascending, so the order is total and identical in every mode.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "operators/count_by_key.hpp"

namespace parapipe::ops {

using KeyCount = std::pair<std::string, std::uint64_t>;

inline bool by_count_then_key(const KeyCount& a, const KeyCount& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
}

/// The first `k` entries (all when k == 0) in by_count_then_key order.
inline std::vector<KeyCount> top_k(CountMap&& counts, std::size_t k = 0) {
    std::vector<KeyCount> out;
    out.reserve(counts.size());
    for (auto& kv : counts) out.emplace_back(kv.first, kv.second);
    counts = CountMap();
    if (k == 0 || k >= out.size()) {
        std::sort(out.begin(), out.end(), by_count_then_key);
    } else {
        std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), by_count_then_key);
        out.resize(k);
    }
    return out;
}

}  // namespace parapipe::ops
