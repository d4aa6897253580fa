#pragma once
// PartitionedTable<V>: a StringTable cut into a fixed number of partitions by key hash, from the
// first key on. A worker folds every key into partition part_of(hash, partitions) of its own
// table, so at the end partition p of every worker's table holds the same keys, and the
// partitions merge independently of each other, in parallel (merge_partitions), with no pass
// that splits the tables first. The hash is string_hash, deterministic, so tables built in
// separate processes agree on every key's partition.
//
// Not thread-safe: one writer at a time; different partitions of one table may be written by
// different threads (part(p)).
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

#include <parapipe/engine/reduce/string_table.hpp>

namespace parapipe {

template <class V, std::size_t Partitions = 16>
class PartitionedTable {
public:
    using mapped_type = V;
    using Part = StringTable<V>;
    static constexpr std::size_t partitions = Partitions;

    PartitionedTable() = default;
    PartitionedTable(std::initializer_list<std::pair<std::string_view, V>> init) {
        for (const auto& kv : init) slot(kv.first, [&] { return kv.second; });
    }

    std::size_t size() const {
        std::size_t n = 0;
        for (const Part& p : parts_) n += p.size();
        return n;
    }
    bool empty() const { return size() == 0; }
    /// Bytes held by every partition (StringTable::memory_bytes).
    std::size_t memory_bytes() const {
        std::size_t n = 0;
        for (const Part& p : parts_) n += p.memory_bytes();
        return n;
    }

    /// The keys of partition p (part_of(string_hash(key), partitions) == p).
    Part& part(std::size_t p) { return parts_[p]; }
    const Part& part(std::size_t p) const { return parts_[p]; }
    static std::size_t partition_of(std::uint64_t h) { return part_of(h, Partitions); }
    /// A key's hash, which places it in its partition and in the partition's index.
    static std::uint64_t hash(std::string_view key) { return detail::string_hash(key); }

    /// The value of `key`, inserted as make() when absent.
    template <class Make>
    V& slot(std::string_view key, Make&& make) {
        const std::uint64_t h = hash(key);
        return parts_[partition_of(h)].slot(key, h, std::forward<Make>(make));
    }
    V* find(std::string_view key) {
        return parts_[partition_of(hash(key))].find(key);
    }

    /// Room for about n keys in all.
    void reserve(std::size_t n) {
        for (Part& p : parts_) p.reserve(n / Partitions + n / (8 * Partitions) + 16);
    }

    /// f(key, const V&) for every key, partition by partition (insertion order within each).
    template <class F>
    void for_each(F&& f) const {
        for (const Part& p : parts_) p.for_each(f);
    }
    /// f(key, V&&) for every key, partition by partition; the table is empty afterwards.
    template <class F>
    void drain(F&& f) {
        // Every index goes first, as one StringTable's drain frees its whole index first: the
        // pairs a drain builds then take that room while the partitions wait their turn.
        for (Part& p : parts_) p.release_index();
        for (Part& p : parts_) p.drain(f);
    }

    /// Adds every key of `from`: combine(V& into, V&& from) for keys in both; `from` is drained.
    template <class Combine>
    void merge(PartitionedTable&& from, Combine&& combine) {
        for (std::size_t p = 0; p < Partitions; ++p) parts_[p].merge(std::move(from.parts_[p]), combine);
    }
    template <class Combine>
    void merge_one(std::string_view key, V&& value, Combine&& combine) {
        merge_one(key, hash(key), std::move(value), combine);
    }
    /// The same with h = hash(key) already known.
    template <class Combine>
    void merge_one(std::string_view key, std::uint64_t h, V&& value, Combine&& combine) {
        parts_[partition_of(h)].merge_one(key, h, std::move(value), combine);
    }
    /// StringTable::prefetch in the key's partition, for h = hash(key).
    void prefetch(std::uint64_t h) const { parts_[partition_of(h)].prefetch(h); }
    /// Inserts a key known to be absent.
    V& insert_distinct(std::string_view key, V&& value) {
        const std::uint64_t h = hash(key);
        return parts_[partition_of(h)].insert_new(key, h, std::move(value));
    }

    /// A key written in place, then handed over without a copy (StringTable::LooseRecord).
    using LooseRecord = typename Part::LooseRecord;
    V& insert_distinct(LooseRecord&& rec, V&& value) {
        const std::uint64_t h = hash(rec.key());
        return parts_[partition_of(h)].insert_loose(std::move(rec), h, std::move(value));
    }
    template <class Combine>
    void merge_one(LooseRecord&& rec, V&& value, Combine&& combine) {
        const std::uint64_t h = hash(rec.key());
        parts_[partition_of(h)].merge_one(std::move(rec), h, std::move(value), combine);
    }

    /// Splits this table into n tables by part_of(string_hash(key), n) (n peers of a shuffle);
    /// this one is drained.
    std::vector<PartitionedTable> split(std::size_t n) {
        std::vector<PartitionedTable> out(n);
        if (n == 1) {
            out[0] = std::move(*this);
            return out;
        }
        drain([&](std::string_view k, V&& v) {
            const std::uint64_t h = hash(k);
            out[part_of(h, n)].parts_[partition_of(h)].insert_new(k, h, std::move(v));
        });
        return out;
    }

    /// Empties every partition, keeping its index and first arena block (StringTable::reset).
    void reset() {
        for (Part& p : parts_) p.reset();
    }
    void clear() {
        for (Part& p : parts_) p.clear();
    }
    void swap(PartitionedTable& o) noexcept { parts_.swap(o.parts_); }

    /// Same keys with equal values.
    friend bool operator==(const PartitionedTable& a, const PartitionedTable& b) { return a.parts_ == b.parts_; }

private:
    std::array<Part, Partitions> parts_;
};

}  // namespace parapipe
