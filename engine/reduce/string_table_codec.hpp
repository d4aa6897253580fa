#pragma once
// How a StringTable crosses between processes: through a pipe (engine/serialize.hpp) as
// (length, bytes, value) records, or in the shared segment (engine/shm_codec.hpp) as flat key,
// end and value arrays when values are numbers (a word count), pairs otherwise. Loading
// rebuilds the index; a table's keys are distinct, so no lookup is needed. A big table with
// numeric values stored by a Mode::shm worker goes instead as an image of its memory into a
// segment of its own, which the coordinator copies back without hashing a key. A PartitionedTable
// travels in the same form (its partitions one after the other): loading puts each key back in
// its partition by hash.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/reduce/string_table.hpp>
#include <parapipe/engine/serialize.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/shm_codec.hpp>
#include <parapipe/shm/segment.hpp>

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
        if constexpr (std::is_trivially_copyable_v<V> && std::is_default_constructible_v<V>) {
            if (r.stable()) return merge_ahead(r, n, into, combine);
        }
        read_records(r, n, [&](auto&& k, V&& v) { into.merge_one(std::move(k), std::move(v), combine); });
    }

private:
    // merge_into from bytes that stay put (a whole reply in memory): each key is hashed, and its
    // slot in `into` prefetched, `ahead` records before its lookup, which in a table bigger than
    // the cache otherwise waits on memory for every record (the coordinator of Mode::processes
    // merges every chunk's reply so).
    template <class Combine>
    static void merge_ahead(Reader& r, std::uint64_t n, Table& into, Combine& combine) {
        constexpr std::size_t ahead = 8;  // a power of two: the ring's index is a mask
        struct Pending {
            std::string_view key;
            std::uint64_t hash;
            V value;
        };
        std::array<Pending, ahead> ring;
        std::size_t in = 0, out = 0;
        const auto merge_oldest = [&] {
            Pending& p = ring[out++ % ahead];
            into.merge_one(p.key, p.hash, std::move(p.value), combine);
        };
        read_records(r, n, [&](auto&& k, V&& v) {
            if constexpr (std::is_same_v<std::decay_t<decltype(k)>, std::string_view>) {
                if (in - out == ahead) merge_oldest();
                const std::uint64_t h = Table::hash(k);
                into.prefetch(h);
                ring[in++ % ahead] = {k, h, std::move(v)};
            } else {  // a loose record (a huge key): after the keys before it
                while (out != in) merge_oldest();
                into.merge_one(std::move(k), std::move(v), combine);
            }
        });
        while (out != in) merge_oldest();
    }

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

/// f(table) for each StringTable of `t` in image order: a PartitionedTable's partitions one
/// after the other, a StringTable itself.
template <class Table, class F>
void for_each_string_table(Table& t, F&& f) {
    if constexpr (requires { t.part(0); }) {
        for (std::size_t p = 0; p < std::remove_const_t<Table>::partitions; ++p) f(t.part(p));
    } else {
        f(t);
    }
}

/// A table's image (StringTable::move_image): a PartitionedTable's is its partitions' in turn.
template <class Table>
std::size_t table_image_bytes(const Table& t) {
    std::size_t n = 0;
    for_each_string_table(t, [&](const auto& part) { n += part.image_bytes(); });
    return n;
}
template <class Table>
char* move_table_image(Table& t, char* to) {
    for_each_string_table(t, [&](auto& part) { to = part.move_image(to); });
    return to;
}
template <class Table, class Release>
const char* read_table_image(Table& t, const char* from, Release&& release) {
    for_each_string_table(t, [&](auto& part) { from = part.read_image(from, release); });
    return from;
}

template <class Table, class V>
struct StringTableShmCodec {
    static constexpr bool flat = std::is_arithmetic_v<V>;
    /// Tables whose image is this big or bigger go through a segment of their own when stored by
    /// a Mode::shm worker (shm_side_prefix set): the worker's region, sized before the run, could
    /// not hold millions of keys, which then came down its pipe to be inserted key by key.
    static constexpr std::size_t side_from = std::size_t{1} << 20;
    struct Flat {
        explicit Flat(const shm::VoidAlloc& a) : keys(a), ends(a), values(a) {}
        shm::Vector<char> keys;
        shm::Vector<std::uint64_t> ends;
        shm::Vector<V> values;
        std::array<char, 128> side_name{};  // the segment holding the table's image, if any
        std::uint64_t side_bytes = 0;
    };

    /// Stores the table's image in a segment of its own; false if it stays in the region.
    static bool store_side(const Table& t, Flat& s) {
        if (shm_side_prefix.empty()) return false;
        const std::size_t bytes = table_image_bytes(t);
        if (bytes < side_from) return false;
        const std::string name = shm_side_prefix + std::to_string(::getpid()) + "-" + std::to_string(shm_side_count++);
        if (name.size() >= s.side_name.size()) return false;
        try {
            shm::Segment side(name, bytes);
            // The worker's partial is not const (only this interface is): its table is moved
            // into the image, block by block, so the worker never holds both. Should the rest
            // of the partial not fit the region, undo_side_stores() puts it back.
            move_table_image(const_cast<Table&>(t), side.base());
            side.keep();  // the coordinator opens and removes it
        } catch (const shm::SegmentError&) {
            return false;  // no room in /dev/shm: the region, else the pipe
        }
        shm_side_undo.push_back([&table = const_cast<Table&>(t), name] {
            shm::Segment side(shm::Segment::Open{}, name);
            read_table_image(table, side.base(), [](const char*, std::size_t) {});
        });
        std::memcpy(s.side_name.data(), name.c_str(), name.size() + 1);
        s.side_bytes = bytes;
        return true;
    }

    /// Reads the table's image from its own segment and removes the segment, giving its pages
    /// back as they are copied: the image and the table are not both held whole.
    static void load_side(const Flat& s, Table& t) {
        shm::Segment side(shm::Segment::Open{}, std::string(s.side_name.data()));
        if (side.size() < s.side_bytes) throw Error("shared segment " + side.name() + " is shorter than its partial");
        const char* base = side.base();
        read_table_image(t, base, [&](const char* p, std::size_t n) { side.release(static_cast<std::size_t>(p - base), n); });
    }
    using stored = std::conditional_t<flat, Flat, shm::Vector<std::pair<detail::stored_t<std::string>, detail::stored_t<V>>>>;

    static stored make(const shm::VoidAlloc& a) { return stored(a); }
    static void store(const Table& t, stored& s, const shm::VoidAlloc& a) {
        if constexpr (flat) {
            if (store_side(t, s)) return;
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
            if (s.side_bytes > 0) return load_side(s, t);
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
