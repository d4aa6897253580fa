#pragma once
// Keyed reductions: reduce_by_key, count_by_key, group_by_key. Each worker keeps a flat hash
// table from key to value; partials merge key by key. The result is an ordinary vector of
// (key, value) pairs in a defined order (by key unless an order is given), the same in every
// mode, ready to start the next stage with range(result).
// Keys need operator< (for the result's order) and absl::Hash (std types have it; a struct of
// your own needs AbslHashValue). String-like keys (std::string results) live in a
// PartitionedTable (engine/reduce/partitioned_table.hpp): StringTables (the key bytes in an
// arena, no std::string per key) cut by key hash from the first key on, so the workers' tables
// merge partition by partition in parallel (finalize_all); other keys in an absl::flat_hash_map.
#include <absl/container/flat_hash_map.h>
#include <absl/strings/string_view.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/reduce/orders.hpp>
#include <parapipe/engine/reduce/owned.hpp>
#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/reduce/sorted_counts.hpp>
#include <parapipe/engine/reduce/string_table.hpp>
#include <parapipe/engine/reduce/string_table_codec.hpp>
#include <parapipe/engine/spill/table_runs.hpp>

namespace parapipe {

namespace detail {

/// The per-worker table of a keyed reduction with keys K and values V.
template <class K, class V>
using KeyedTable = std::conditional_t<std::is_same_v<K, std::string>, PartitionedTable<V>, absl::flat_hash_map<K, V>>;

template <class V, class KeyArg, class Make>
V& slot(StringTable<V>& m, KeyArg&& key, Make&& make) {
    return m.slot(std::string_view(key), std::forward<Make>(make));
}
template <class V, std::size_t N, class KeyArg, class Make>
V& slot(PartitionedTable<V, N>& m, KeyArg&& key, Make&& make) {
    return m.slot(std::string_view(key), std::forward<Make>(make));
}

/// The value slot of `key` in `m`, inserted with make() when absent. String keys are looked up
/// through a view, so counting an existing word allocates nothing.
template <class Map, class KeyArg, class Make>
auto& slot(Map& m, KeyArg&& key, Make&& make) {
    using K = typename Map::key_type;
    if constexpr (std::is_same_v<K, std::string> && std::is_convertible_v<KeyArg, std::string_view>) {
        const std::string_view k(key);
        auto it = m.find(absl::string_view(k.data(), k.size()));  // Debian's Abseil has its own string_view
        if (it == m.end()) it = m.emplace(std::string(k), make()).first;
        return it->second;
    } else {
        auto it = m.find(key);
        if (it == m.end()) it = m.emplace(K(std::forward<KeyArg>(key)), make()).first;
        return it->second;
    }
}

template <class V, class Combine>
void merge_maps(StringTable<V>& into, StringTable<V>&& from, Combine&& combine) {
    into.merge(std::move(from), std::forward<Combine>(combine));
}

template <class V, std::size_t N, class Combine>
void merge_maps(PartitionedTable<V, N>& into, PartitionedTable<V, N>&& from, Combine&& combine) {
    into.merge(std::move(from), std::forward<Combine>(combine));
}

/// The (key, value) pairs of a table, unsorted; the table is emptied as they are made.
template <class Table>
    requires std::is_same_v<Table, StringTable<typename Table::mapped_type>> ||
             std::is_same_v<Table, PartitionedTable<typename Table::mapped_type, Table::partitions>>
std::vector<std::pair<std::string, typename Table::mapped_type>> take_pairs(Table&& m) {
    using V = typename Table::mapped_type;
    std::vector<std::pair<std::string, V>> out;
    out.reserve(m.size());  // only the pages written get memory, while drain() frees the table's
    m.drain([&](std::string_view k, V&& v) { out.emplace_back(std::string(k), std::move(v)); });
    return out;
}
template <class Map>
auto take_pairs(Map&& m) {
    using M = std::remove_cvref_t<Map>;
    std::vector<std::pair<typename M::key_type, typename M::mapped_type>> out;
    out.reserve(m.size());
    for (auto& kv : m) out.emplace_back(std::move(const_cast<typename M::key_type&>(kv.first)), std::move(kv.second));
    m = {};
    return out;
}

/// Merges map `from` into `into` with combine(into_value, from_value), walking the smaller map.
template <class Map, class Combine>
void merge_maps(Map& into, Map&& from, Combine&& combine) {
    if (into.size() < from.size()) std::swap(into, from);  // combine must be commutative anyway
    for (auto& [k, v] : from) {
        auto [it, inserted] = into.try_emplace(k, std::move(v));
        if (!inserted) combine(it->second, std::move(v));
    }
}

/// Empties a table for the next chunk, keeping its memory where the table allows.
template <class V>
void reset_map(StringTable<V>& m) { m.reset(); }
template <class V, std::size_t N>
void reset_map(PartitionedTable<V, N>& m) { m.reset(); }
template <class Map>
void reset_map(Map& m) { m.clear(); }

/// Merges a serialized table into `into` with combine(into_value, from_value). A StringTable is
/// merged record by record from the bytes; other maps are decoded first.
template <class V, class Combine>
void merge_serialized(StringTable<V>& into, Reader& r, Combine&& combine) {
    Serializer<StringTable<V>>::merge_into(r, into, std::forward<Combine>(combine));
}
template <class V, std::size_t N, class Combine>
void merge_serialized(PartitionedTable<V, N>& into, Reader& r, Combine&& combine) {
    Serializer<PartitionedTable<V, N>>::merge_into(r, into, std::forward<Combine>(combine));
}
template <class Map, class Combine>
void merge_serialized(Map& into, Reader& r, Combine&& combine) {
    Map part;
    deserialize(r, part);
    merge_maps(into, std::move(part), std::forward<Combine>(combine));
}

/// Merges all `tables` into one. Partitioned tables merge partition p of every table as one
/// task per partition, on par's threads; other maps one after another.
template <class V, std::size_t N, class Combine>
PartitionedTable<V, N> merge_all(std::vector<PartitionedTable<V, N>>&& tables, const Combine& combine,
                                 const Parallelism& par) {
    if (tables.empty()) return {};
    parallel_for_n(N, par, [&](std::size_t p) {
        for (std::size_t i = 1; i < tables.size(); ++i) tables[0].part(p).merge(std::move(tables[i].part(p)), combine);
    });
    PartitionedTable<V, N> out = std::move(tables[0]);
    tables.clear();
    return out;
}
template <class Map, class Combine>
Map merge_all(std::vector<Map>&& maps, const Combine& combine, const Parallelism&) {
    if (maps.empty()) return {};
    Map out = std::move(maps[0]);
    for (std::size_t i = 1; i < maps.size(); ++i) merge_maps(out, std::move(maps[i]), combine);
    maps.clear();
    return out;
}

/// Sorts a result by `less`, keeping the first `limit` (0: all); in parallel with par's threads.
template <class T, class Less>
void sort_result(std::vector<T>& out, const Less& less, std::size_t limit, const Parallelism& par) {
    if (limit == 0 || limit >= out.size()) {
        parallel_sort(out.begin(), out.end(), less, par);
    } else {
        std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(limit), out.end(), less);
        out.resize(limit);
    }
}

struct KeyLess {
    template <class P>
    bool operator()(const P& a, const P& b) const {
        return a.first < b.first;
    }
};

/// A partial that can spill to sorted runs under a memory limit (engine/spill/): string keys
/// (a PartitionedTable) with serializable values.
template <class T>
concept SpillableTable = std::is_same_v<T, PartitionedTable<typename T::mapped_type, T::partitions>> &&
                         Serializable<typename T::mapped_type>;

/// The same for other keys: an absl::flat_hash_map with serializable keys and values.
template <class T>
concept SpillableMap = std::is_same_v<T, absl::flat_hash_map<typename T::key_type, typename T::mapped_type>> &&
                       Serializable<typename T::key_type> && Serializable<typename T::mapped_type>;
template <class T>
concept Spillable = SpillableTable<T> || SpillableMap<T>;

template <class V, std::size_t N>
std::size_t memory_of(const PartitionedTable<V, N>& m) { return m.memory_bytes(); }
template <class Map>
std::size_t memory_of(const Map& m) { return spill::map_memory(m); }
template <class V, std::size_t N>
void spill_partial(PartitionedTable<V, N>& m, SpillFolder& f) { spill::spill_table(m, f); }
template <class Map>
void spill_partial(Map& m, SpillFolder& f) { spill::spill_map(m, f); }

template <class Map, class Combine>
    requires SpillableMap<Map>
auto spilled_pairs(std::vector<Map>&& parts, SpillFolder& folder, const Combine& combine) {
    using K = typename Map::key_type;
    using V = typename Map::mapped_type;
    for (auto& p : parts) spill::spill_map(p, folder);
    parts.clear();
    std::vector<std::pair<K, V>> out;
    spill::merge_map_runs<K, V>(folder, combine, [&](K&& k, V&& v) { out.emplace_back(std::move(k), std::move(v)); });
    return out;
}

/// Every partial spilled, then every run of the folder merged (equal keys combined): the
/// (key, value) pairs, unsorted.
template <class V, std::size_t N, class Combine>
std::vector<std::pair<std::string, V>> spilled_pairs(std::vector<PartitionedTable<V, N>>&& parts, SpillFolder& folder,
                                                     const Combine& combine) {
    for (auto& p : parts) spill::spill_table(p, folder);
    parts.clear();
    std::vector<std::pair<std::string, V>> out;
    spill::merge_table_runs<V>(folder, combine, [&](std::string_view k, V&& v) { out.emplace_back(std::string(k), std::move(v)); });
    return out;
}

template <class Map>
auto to_sorted_pairs(Map&& m, const Parallelism& par = {}) {
    auto out = take_pairs(std::move(m));
    parallel_sort(out.begin(), out.end(), KeyLess{}, par);
    return out;
}

}  // namespace detail

/// Partitioning a keyed partial, for executors that merge partitions in parallel or ship them to
/// peers (a shuffle): split(std::move(table), n)[p] holds the keys with
/// part_of(detail::string_hash(key), n) == p, and merge_partition(into, std::move(part), combine)
/// adds one partition into another. The hash is deterministic, so separate processes (even
/// separate executables) agree on every key's partition. String keys only: other keys hash with
/// absl::Hash, which is seeded per process.
template <class V>
std::vector<StringTable<V>> split(StringTable<V>&& table, std::size_t n) {
    return table.split(n);
}
template <class V, class Combine>
void merge_partition(StringTable<V>& into, StringTable<V>&& part, Combine&& combine) {
    into.merge(std::move(part), std::forward<Combine>(combine));
}

namespace detail {

template <class F, class Item>
using key_of_t = owned_t<std::invoke_result_t<const F&, const Item&>>;

}  // namespace detail

/// Number of items per key: vector<pair<K, uint64>> in `Order` (ByKey or MostFrequent).
template <class Item, class KeyF, class Order = ByKey>
struct CountByKey {
    using K = detail::key_of_t<KeyF, Item>;
    using partial_type = detail::KeyedTable<K, std::uint64_t>;
    KeyF key;
    Order order{};

    partial_type init() const { return {}; }
    template <class I>
    void fold(partial_type& m, I&& item) const {
        ++detail::slot(m, key(item), [] { return std::uint64_t{0}; });
    }
    void merge(partial_type& into, partial_type&& from) const { detail::merge_maps(into, std::move(from), add); }
    /// For executors (engine/plan.hpp: reset, merge_serialized); merge_serialized needs a codec.
    void reset(partial_type& m) const { detail::reset_map(m); }
    void merge_serialized(partial_type& into, Reader& r) const { detail::merge_serialized(into, r, add); }
    static void add(std::uint64_t& a, std::uint64_t b) { a += b; }
    std::vector<std::pair<K, std::uint64_t>> finalize(partial_type&& m) const { return finish(std::move(m), {}); }
    /// Every worker's partial merged (partitions in parallel) and finalized with par's threads.
    std::vector<std::pair<K, std::uint64_t>> finalize_all(std::vector<partial_type>&& parts, const Parallelism& par) const {
        if constexpr (std::is_same_v<partial_type, PartitionedTable<std::uint64_t>> && detail::ref_sorted_order<Order>) {
            // The last partial is not merged in: the sort takes from it the keys the others
            // share, and copies no key (detail::absorb_shared).
            if (parts.size() >= 2) {
                partial_type last = std::move(parts.back());
                parts.pop_back();
                partial_type merged = detail::merge_all(std::move(parts), add, par);
                return detail::sorted_counts(merged, last, order, par);
            }
        }
        return finish(detail::merge_all(std::move(parts), add, par), par);
    }
    /// Under a memory limit (engine/plan.hpp: memory_of, spill, finalize_spilled).
    std::size_t memory_of(const partial_type& m) const requires detail::Spillable<partial_type> {
        return detail::memory_of(m);
    }
    void spill(partial_type& m, SpillFolder& f) const requires detail::Spillable<partial_type> {
        detail::spill_partial(m, f);
    }
    std::vector<std::pair<K, std::uint64_t>> finalize_spilled(std::vector<partial_type>&& parts, const Parallelism& par,
                                                              SpillFolder& f) const
        requires detail::Spillable<partial_type> {
        auto out = detail::spilled_pairs(std::move(parts), f, add);
        detail::sort_result(out, order, order.limit, par);
        return out;
    }

private:
    std::vector<std::pair<K, std::uint64_t>> finish(partial_type&& m, const Parallelism& par) const {
        if constexpr (std::is_same_v<partial_type, PartitionedTable<std::uint64_t>> && detail::ref_sorted_order<Order>) {
            return detail::sorted_counts(m, order, par);
        } else {
            std::vector<std::pair<K, std::uint64_t>> out = detail::take_pairs(std::move(m));
            detail::sort_result(out, order, order.limit, par);
            return out;
        }
    }
};

/// combine(value(item)...) per key(item): vector<pair<K, V>> by key. `combine(V, V) -> V` must
/// be associative and commutative.
template <class Item, class KeyF, class ValueF, class CombineF>
struct ReduceByKey {
    using K = detail::key_of_t<KeyF, Item>;
    using V = detail::key_of_t<ValueF, Item>;
    using partial_type = detail::KeyedTable<K, V>;
    KeyF key;
    ValueF value;
    CombineF combine;

    partial_type init() const { return {}; }
    template <class I>
    void fold(partial_type& m, I&& item) const {
        bool fresh = false;
        V& v = detail::slot(m, key(item), [&] {
            fresh = true;
            return V(value(item));
        });
        if (!fresh) v = combine(std::move(v), V(value(item)));
    }
    void merge(partial_type& into, partial_type&& from) const { detail::merge_maps(into, std::move(from), combiner()); }
    void reset(partial_type& m) const { detail::reset_map(m); }
    void merge_serialized(partial_type& into, Reader& r) const { detail::merge_serialized(into, r, combiner()); }
    /// combine() in the form the table merges take: into the value already there.
    auto combiner() const {
        return [this](V& a, V&& b) { a = combine(std::move(a), std::move(b)); };
    }
    std::vector<std::pair<K, V>> finalize(partial_type&& m) const { return detail::to_sorted_pairs(std::move(m)); }
    std::vector<std::pair<K, V>> finalize_all(std::vector<partial_type>&& parts, const Parallelism& par) const {
        return detail::to_sorted_pairs(detail::merge_all(std::move(parts), combiner(), par), par);
    }
    std::size_t memory_of(const partial_type& m) const requires detail::Spillable<partial_type> {
        return detail::memory_of(m);
    }
    void spill(partial_type& m, SpillFolder& f) const requires detail::Spillable<partial_type> {
        detail::spill_partial(m, f);
    }
    std::vector<std::pair<K, V>> finalize_spilled(std::vector<partial_type>&& parts, const Parallelism& par,
                                                  SpillFolder& f) const
        requires detail::Spillable<partial_type> {
        auto out = detail::spilled_pairs(std::move(parts), f, combiner());
        detail::parallel_sort(out.begin(), out.end(), detail::KeyLess{}, par);
        return out;
    }
};

/// Every value(item) per key(item): vector<pair<K, vector<V>>> by key, each key's values sorted
/// ascending (so the order does not depend on which worker saw which item).
template <class Item, class KeyF, class ValueF>
struct GroupByKey {
    using K = detail::key_of_t<KeyF, Item>;
    using V = detail::key_of_t<ValueF, Item>;
    using partial_type = detail::KeyedTable<K, std::vector<V>>;
    KeyF key;
    ValueF value;

    partial_type init() const { return {}; }
    template <class I>
    void fold(partial_type& m, I&& item) const {
        detail::slot(m, key(item), [] { return std::vector<V>{}; }).emplace_back(value(item));
    }
    void merge(partial_type& into, partial_type&& from) const { detail::merge_maps(into, std::move(from), append); }
    void reset(partial_type& m) const { detail::reset_map(m); }
    void merge_serialized(partial_type& into, Reader& r) const { detail::merge_serialized(into, r, append); }
    static void append(std::vector<V>& a, std::vector<V>&& b) {
        a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    }
    std::vector<std::pair<K, std::vector<V>>> finalize(partial_type&& m) const { return finish(std::move(m), {}); }
    std::vector<std::pair<K, std::vector<V>>> finalize_all(std::vector<partial_type>&& parts, const Parallelism& par) const {
        return finish(detail::merge_all(std::move(parts), append, par), par);
    }
    std::size_t memory_of(const partial_type& m) const requires detail::Spillable<partial_type> {
        return detail::memory_of(m);
    }
    void spill(partial_type& m, SpillFolder& f) const requires detail::Spillable<partial_type> {
        detail::spill_partial(m, f);
    }
    std::vector<std::pair<K, std::vector<V>>> finalize_spilled(std::vector<partial_type>&& parts, const Parallelism& par,
                                                               SpillFolder& f) const
        requires detail::Spillable<partial_type> {
        auto out = detail::spilled_pairs(std::move(parts), f, append);
        detail::parallel_sort(out.begin(), out.end(), detail::KeyLess{}, par);
        detail::parallel_for_n(out.size(), par, [&](std::size_t i) { std::sort(out[i].second.begin(), out[i].second.end()); });
        return out;
    }

private:
    std::vector<std::pair<K, std::vector<V>>> finish(partial_type&& m, const Parallelism& par) const {
        auto out = detail::to_sorted_pairs(std::move(m), par);
        detail::parallel_for_n(out.size(), par, [&](std::size_t i) { std::sort(out[i].second.begin(), out[i].second.end()); });
        return out;
    }
};

}  // namespace parapipe
