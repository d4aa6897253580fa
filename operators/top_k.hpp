#pragma once
// Orders counted keys the way every parapipe output does: count descending, then key bytes
// ascending, so the order is total and identical in every mode.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <parapipe/operators/count_by_key.hpp>

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

namespace parapipe::ops {

/// Reducer counting string-like items, finishing with the `k` most frequent (0: all) in
/// by_count_then_key order. `flow.reduce(parapipe::ops::count_by_key(10))`.
struct CountByKey {
    using partial_type = CountMap;
    std::size_t k = 0;
    CountMap init() const { return {}; }
    template <class Item>
    void fold(CountMap& m, const Item& key) const { count(m, std::string_view(key)); }
    void merge(CountMap& into, CountMap&& from) const { merge_counts(into, std::move(from)); }
    std::vector<KeyCount> finalize(CountMap&& m) const { return top_k(std::move(m), k); }
};

inline CountByKey count_by_key(std::size_t k = 0) { return CountByKey{k}; }

}  // namespace parapipe::ops
