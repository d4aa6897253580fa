#pragma once
// Counting by key: the partial of word count and of any pipeline ending in count_by_key().
// A flat hash map with heterogeneous lookup, so counting an existing word allocates nothing.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <absl/strings/string_view.h>

namespace parapipe::ops {

using CountMap = absl::flat_hash_map<std::string, std::uint64_t>;

/// Adds one occurrence of `key`. Not thread-safe (one map per thread or worker).
inline void count(CountMap& m, std::string_view key, std::uint64_t n = 1) {
    // Debian's Abseil has its own string_view type; its hash takes only that one.
    if (auto it = m.find(absl::string_view(key.data(), key.size())); it != m.end()) it->second += n;
    else m.emplace(std::string(key), n);
}

/// Adds every count of `from` into `into`; walks the smaller map.
inline void merge_counts(CountMap& into, CountMap&& from) {
    if (into.size() < from.size()) std::swap(into, from);
    for (auto& [k, v] : from) count(into, k, v);
}

}  // namespace parapipe::ops
