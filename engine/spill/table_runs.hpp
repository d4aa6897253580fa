#pragma once
// Spilling a keyed partial with string keys (PartitionedTable) as one sorted run, and reading
// all runs back merged. The run is written partition by partition, each sorted by key bytes, so
// sorting needs an index of one partition only (1/16 of the table), and the partition is freed
// as soon as it is written.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include <string>

#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/spill/merge.hpp>

namespace parapipe::spill {

/// Writes `table` as one run into `folder` and empties it (its memory is freed).
template <class V, std::size_t N>
void spill_table(PartitionedTable<V, N>& table, SpillFolder& folder) {
    static_assert(N <= 256, "a run records the partition in one byte");
    if (table.empty()) return;
    RunWriter out(folder);
    std::vector<std::pair<std::string_view, const V*>> index;
    for (std::size_t p = 0; p < N; ++p) {
        auto& part = table.part(p);
        index.clear();
        index.reserve(part.size());
        part.for_each([&](std::string_view k, const V& v) { index.emplace_back(k, &v); });
        std::sort(index.begin(), index.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [k, v] : index) out.add(static_cast<std::uint8_t>(p), k, *v);
        index.clear();
        part.clear();
    }
    std::vector<std::pair<std::string_view, const V*>>().swap(index);
    out.close();
    table.clear();
}

/// emit(key, V&&) for every distinct key of the folder's runs, values combined; the runs are
/// removed. Order: by partition, then key bytes.
template <class V, class Combine, class Emit>
void merge_table_runs(SpillFolder& folder, const Combine& combine, Emit&& emit) {
    merge_keyed<V>(folder, folder.runs(), combine,
                   [&](std::uint8_t, std::string_view k, V&& v) { emit(k, std::move(v)); });
}

/// Bytes an absl::flat_hash_map holds: its slots (what a value owns on the heap is not counted).
template <class K, class V, class... R>
std::size_t map_memory(const absl::flat_hash_map<K, V, R...>& m) {
    return m.capacity() * (sizeof(std::pair<const K, V>) + 1);
}

/// Writes a map with other keys (serializable K) as one run and empties it. Keys are ordered by
/// their serialized bytes, a total order the merge follows: equal keys have equal bytes.
template <class K, class V, class... R>
void spill_map(absl::flat_hash_map<K, V, R...>& m, SpillFolder& folder) {
    if (m.empty()) return;
    std::vector<std::pair<std::string, const V*>> index;
    index.reserve(m.size());
    Writer w;
    for (const auto& [k, v] : m) {
        w.buffer().clear();
        serialize(w, k);
        index.emplace_back(w.buffer(), &v);
    }
    std::sort(index.begin(), index.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    RunWriter out(folder);
    for (const auto& [k, v] : index) out.add(0, k, *v);
    out.close();
    std::vector<std::pair<std::string, const V*>>().swap(index);
    m = {};
}

/// emit(K&&, V&&) for every distinct key of the folder's runs (written by spill_map), values
/// combined; the runs are removed.
template <class K, class V, class Combine, class Emit>
void merge_map_runs(SpillFolder& folder, const Combine& combine, Emit&& emit) {
    merge_keyed<V>(folder, folder.runs(), combine, [&](std::uint8_t, std::string_view bytes, V&& v) {
        K k{};
        Reader r(bytes.data(), bytes.size());
        deserialize(r, k);
        emit(std::move(k), std::move(v));
    });
}

}  // namespace parapipe::spill
