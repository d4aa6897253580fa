#pragma once
// How a StringTable crosses between processes: through a pipe (engine/serialize.hpp) as
// (length, bytes, value) records, or in the shared segment (engine/shm_codec.hpp) as flat key,
// end and value arrays when values are numbers (a word count), pairs otherwise. Loading
// rebuilds the index; a table's keys are distinct, so no lookup is needed. A PartitionedTable
// travels in the same form (its partitions one after the other): loading puts each key back in
// its partition by hash.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/reduce/string_table.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/shm_codec.hpp>

namespace parapipe {

namespace detail {

/// The codecs of a string-keyed table type `Table` (StringTable or PartitionedTable) with values V.
template <class Table, class V>
struct StringTableSerializer {
    static void write(Writer& w, const Table& t) {
        w.pod<std::uint64_t>(t.size());
        t.for_each([&](std::string_view k, const V& v) { write_record(w, k, v); });
    }
    /// The same bytes (drain() walks the records in for_each()'s order), the table emptied as
    /// they are written: each arena block is given back once its records are out.
    static void write_consuming(Writer& w, Table& t) {
        w.pod<std::uint64_t>(t.size());
        t.drain([&](std::string_view k, V&& v) { write_record(w, k, v); });
    }
    static void read(Reader& r, Table& t) {
        const auto n = r.pod<std::uint64_t>();
        t.clear();
        t.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(n, r.remaining() / 4)));
        read_records(r, n, [&](auto&& k, V&& v) { t.insert_distinct(std::move(k), std::move(v)); });
    }
    /// Adds a serialized table's records into `into` without building it: combine(V& mine,
    /// V&& theirs) for keys already there. One hash and one lookup per record.
    template <class Combine>
    static void merge_into(Reader& r, Table& into, Combine&& combine) {
        const auto n = r.pod<std::uint64_t>();
        into.reserve(std::max<std::size_t>(into.size(), std::min<std::uint64_t>(n, r.remaining() / 4)));
        read_records(r, n, [&](auto&& k, V&& v) { into.merge_one(std::move(k), std::move(v), combine); });
    }

private:
    static void write_record(Writer& w, std::string_view k, const V& v) {
        w.pod<std::uint32_t>(static_cast<std::uint32_t>(k.size()));
        w.bytes(k.data(), k.size());
        serialize(w, v);
    }

    // The n (length, key, value) records that follow the count: f(key, V&&) for each, the key
    // pointing into the reader's bytes.
    // A key of loose_from bytes or more is read straight into a record of its own
    // (StringTable::LooseRecord), which the table takes without a copy: from a pipe
    // (PipeReader), a huge key is written once on this side, never buffered first.
    static constexpr std::size_t loose_from = std::size_t{1} << 20;
    // From a stream, a key's view would not outlive the read of its value: the key is copied
    // into `scratch` first.
    template <class F>
    static void read_records(Reader& r, std::uint64_t n, F&& f) {
        const bool stable = r.stable();
        std::string scratch;
        for (std::uint64_t i = 0; i < n; ++i) {
            const auto len = r.pod<std::uint32_t>();
            if (len >= loose_from) [[unlikely]] {
                if (len > r.remaining()) throw Error("serialized partial is truncated");
                typename Table::LooseRecord rec(len);
                r.bytes(rec.key_data(), len);
                V v;
                deserialize(r, v);
                f(std::move(rec), std::move(v));
                continue;
            }
            std::string_view k(r.take(len), len);
            if (!stable) k = scratch.assign(k);
            V v;
            deserialize(r, v);
            f(k, std::move(v));
        }
    }
};

template <class Table, class V>
struct StringTableShmCodec {
    static constexpr bool flat = std::is_arithmetic_v<V>;
    struct Flat {
        explicit Flat(const shm::VoidAlloc& a) : keys(a), ends(a), values(a) {}
        shm::Vector<char> keys;
        shm::Vector<std::uint64_t> ends;
        shm::Vector<V> values;
    };
    using stored = std::conditional_t<flat, Flat, shm::Vector<std::pair<detail::stored_t<std::string>, detail::stored_t<V>>>>;

    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const Table& t, stored& s, const shm::VoidAlloc& a) {
        if constexpr (flat) {
            std::size_t bytes = 0;
            t.for_each([&](std::string_view k, const V&) { bytes += k.size(); });
            s.keys.reserve(bytes);
            s.ends.reserve(t.size());
            s.values.reserve(t.size());
            t.for_each([&](std::string_view k, const V& v) {
                s.keys.insert(s.keys.end(), k.begin(), k.end());
                s.ends.push_back(s.keys.size());
                s.values.push_back(v);
            });
        } else {
            s.reserve(t.size());
            t.for_each([&](std::string_view k, const V& v) {
                s.emplace_back(ShmCodec<std::string>::make(a), ShmCodec<V>::make(a));
                ShmCodec<std::string>::store(std::string(k), s.back().first, a);
                ShmCodec<V>::store(v, s.back().second, a);
            });
        }
    }
    static void load(const stored& s, Table& t) {
        t.clear();
        if constexpr (flat) {
            t.reserve(s.ends.size());
            std::uint64_t begin = 0;
            for (std::size_t i = 0; i < s.ends.size(); ++i) {
                const std::string_view k(s.keys.data() + begin, s.ends[i] - begin);
                t.insert_distinct(k, V(s.values[i]));
                begin = s.ends[i];
            }
        } else {
            t.reserve(s.size());
            for (const auto& [sk, sv] : s) {
                std::string k;
                V v;
                ShmCodec<std::string>::load(sk, k);
                ShmCodec<V>::load(sv, v);
                t.insert_distinct(k, std::move(v));
            }
        }
    }
};

}  // namespace detail

template <class V>
struct Serializer<StringTable<V>, std::enable_if_t<Serializable<V>>> : detail::StringTableSerializer<StringTable<V>, V> {};
template <class V, std::size_t N>
struct Serializer<PartitionedTable<V, N>, std::enable_if_t<Serializable<V>>>
    : detail::StringTableSerializer<PartitionedTable<V, N>, V> {};
template <class V>
struct ShmCodec<StringTable<V>, std::enable_if_t<ShmStorable<V>>> : detail::StringTableShmCodec<StringTable<V>, V> {};
template <class V, std::size_t N>
struct ShmCodec<PartitionedTable<V, N>, std::enable_if_t<ShmStorable<V>>>
    : detail::StringTableShmCodec<PartitionedTable<V, N>, V> {};

}  // namespace parapipe
