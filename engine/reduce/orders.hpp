#pragma once
// The orders of count_by_key's result: ByKey (the default) and MostFrequent, each with a limit.
#include <cstddef>
#include <cstdint>
#include <utility>

namespace parapipe {

/// Result order of count_by_key: by key ascending (the default).
struct ByKey {
    std::size_t limit = 0;  ///< keep only the first `limit` entries (0: all)
    template <class K>
    bool operator()(const std::pair<K, std::uint64_t>& a, const std::pair<K, std::uint64_t>& b) const {
        return a.first < b.first;
    }
};

/// Result order of count_by_key: count descending, then key ascending; the first `limit` (0: all).
struct MostFrequent {
    std::size_t limit = 0;
    template <class K>
    bool operator()(const std::pair<K, std::uint64_t>& a, const std::pair<K, std::uint64_t>& b) const {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    }
};

/// `flow.count_by_key(key, parapipe::most_frequent(10))`: the ten most frequent keys.
inline MostFrequent most_frequent(std::size_t limit = 0) { return {limit}; }

}  // namespace parapipe
