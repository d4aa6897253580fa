#pragma once
// StringTable<V>: the per-worker table of keyed reductions with string keys. Many distinct keys
// (20 million words) made a std::string plus a 40-byte slot per key; here each key is one
// record in an arena, [value][length][bytes] padded to 8, and the hash index is a flat array of
// 8-byte slots {hash tag, record number}. A 7-letter word with a count costs 24 arena bytes and
// about 11 index bytes, and the index grows without touching the arena (the tag places a key).
//
// The arena is one growing block up to 64 MiB, then 64 MiB blocks. Blocks and index of 1 MiB
// or more are mapped by the table itself (detail::big_allocate), so drain() (consume in
// insertion order, freeing each block once passed) gives memory back while the result is built.
//
// The hash is deterministic (the same in every process and on every machine), so a key's
// partition, part_of(hash, n), agrees between workers that never shared memory.
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace parapipe {

namespace detail {

inline std::uint64_t mix64(std::uint64_t a, std::uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}

inline std::uint64_t load8(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}
inline std::uint64_t load4(const char* p) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
}

/// The last 1 to 8 bytes of a key of n >= 1 bytes as one word, read without a copy of unknown
/// length (a memcpy of n bytes cost a third of the hash): overlapping 8- or 4-byte loads, or
/// three byte loads. Together with the length the word determines those bytes.
inline std::uint64_t tail_word(const char* p, std::size_t n) {
    if (n >= 8) return load8(p + n - 8);
    if (n >= 4) return load4(p) | load4(p + n - 4) << 32;
    const auto b = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    return b(0) << 16 | b(n >> 1) << 8 | b(n - 1);
}

/// A fast deterministic 64-bit string hash (wyhash-style multiply-xor over 8-byte words).
inline std::uint64_t string_hash(std::string_view s) {
    constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull, k2 = 0x8ebc6af09c88c6e3ull;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = k0 ^ n;
    if (n == 0) return mix64(h, k1 ^ k2);
    while (n > 8) {  // whole words; the last 1 to 8 bytes go to tail_word
        h = mix64(h ^ load8(p), k1);
        p += 8;
        n -= 8;
    }
    h = mix64(h ^ tail_word(p, n), k2);
    return mix64(h, k1 ^ k2);
}

/// a[0, n) == b[0, n), inline: keys are short, and a call to memcmp cost more than the compare.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8)
            if (load8(a + i) != load8(b + i)) return false;
        return load8(a + n - 8) == load8(b + n - 8);
    }
    if (n >= 4) return (load4(a) ^ load4(b)) == 0 && load4(a + n - 4) == load4(b + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// Asks for transparent huge pages over [p, p + n), the memory of one huge record or of a big
/// table's block or index: where the kernel gives them on request (THP "madvise"), writing it
/// takes a page fault per 2 MiB instead of one per 4 KiB, which for a 256 MiB key was most of
/// the cost of each copy of it.
inline void advise_huge_pages(char* p, std::size_t n) {
#ifdef MADV_HUGEPAGE
    const std::uintptr_t page = 4096;
    const std::uintptr_t from = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
    const std::uintptr_t to = reinterpret_cast<std::uintptr_t>(p) + n;
    if (to > from + (std::uintptr_t{2} << 20)) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

/// Maps in the pages of [p, p + n) in one call, for writing (MADV_POPULATE_WRITE) or reading,
/// instead of one page fault per 4 KiB page as they are first touched: a table's image in a
/// shared-memory segment (tmpfs: no huge pages) took a fault per page on both sides, each a
/// trap into the kernel. Best effort: before Linux 5.14 the first touches fault as before.
inline void populate_pages(const void* p, std::size_t n, bool write) {
#if defined(MADV_POPULATE_WRITE) && defined(MADV_POPULATE_READ)
    const std::uintptr_t page = 4096;
    const std::uintptr_t from = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
    const std::uintptr_t to = reinterpret_cast<std::uintptr_t>(p) + n;
    if (n > 0) ::madvise(reinterpret_cast<void*>(from), to - from, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
#else
    (void)p, (void)n, (void)write;
#endif
}

/// Memory of a table's arena blocks and index: from mapped_from bytes on, mapped with mmap and
/// unmapped when freed, so a drained or merged table gives its memory back to the system at
/// once. glibc maps such sizes itself at first, but raises its threshold (up to 32 MiB) each time
/// a mapped chunk is freed; blocks then came from its heap, where a freed one stays resident: a
/// drained table of 20 million keys kept 100-300 MiB next to the result built from it.
inline constexpr std::size_t mapped_from = std::size_t{1} << 20;

inline void* big_allocate(std::size_t n, std::size_t from = mapped_from) {
    if (n < from) return ::operator new(n);
    void* p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    // A big table's index is read at random: 2 MiB pages cut its TLB misses, and its page faults
    // 512-fold (20M distinct words, seq: 24.6 s -> 16.8 s, 591k -> 239k faults, same peak).
    advise_huge_pages(static_cast<char*>(p), n);
    return p;
}
inline void big_free(void* p, std::size_t n, std::size_t from = mapped_from) noexcept {
    if (p == nullptr) return;
    if (n < from) ::operator delete(p);
    else ::munmap(p, n);
}

/// A buffer from big_allocate, freed by big_free.
struct BigFree {
    std::size_t bytes = 0;
    void operator()(char* p) const noexcept { big_free(p, bytes); }
};
using BigBuffer = std::unique_ptr<char[], BigFree>;
inline BigBuffer big_buffer(std::size_t n) { return BigBuffer(static_cast<char*>(big_allocate(n)), BigFree{n}); }

/// The allocator of a table's index (big_allocate), mapping from `MappedFrom` bytes on (1: every
/// allocation mapped, for buffers that must leave nothing resident in the heap once freed).
template <class T, std::size_t MappedFrom = mapped_from>
struct BigAllocator {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = BigAllocator<U, MappedFrom>;
    };
    BigAllocator() = default;
    template <class U>
    BigAllocator(const BigAllocator<U, MappedFrom>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(big_allocate(n * sizeof(T), MappedFrom)); }
    void deallocate(T* p, std::size_t n) noexcept { big_free(p, n * sizeof(T), MappedFrom); }
    friend bool operator==(const BigAllocator&, const BigAllocator&) { return true; }
};

/// The default hash of StringTable.
struct StringHash {
    std::uint64_t operator()(std::string_view s) const { return string_hash(s); }
};

}  // namespace detail

/// Which of `n` partitions a key with hash `h` belongs to (n >= 1). Uses the high bits, which
/// the table's slot position does not depend on.
inline std::size_t part_of(std::uint64_t h, std::size_t n) {
    // The product fits in 64 bits for n < 2^32; the 128-bit one made every lookup pay for it.
    if (n <= UINT32_MAX) return static_cast<std::size_t>(((h >> 32) * n) >> 32);
    return static_cast<std::size_t>((static_cast<unsigned __int128>(h >> 32) * n) >> 32);
}

/// Hash and BlockBytes are there for tests (colliding hashes, many small blocks).
template <class V, class Hash = detail::StringHash, std::size_t BlockBytes = std::size_t{64} << 20>
class StringTable {
public:
    using mapped_type = V;

    StringTable() = default;
    StringTable(StringTable&& o) noexcept { swap(o); }
    StringTable& operator=(StringTable&& o) noexcept {
        if (this != &o) {
            StringTable t(std::move(o));
            swap(t);
        }
        return *this;
    }
    StringTable(const StringTable& o) {
        reserve(o.size());
        o.for_each([&](std::string_view k, const V& v) { insert_new(k, Hash{}(k), V(v)); });
    }
    StringTable& operator=(const StringTable& o) {
        if (this != &o) {
            StringTable t(o);
            swap(t);
        }
        return *this;
    }
    ~StringTable() { clear(); }
    StringTable(std::initializer_list<std::pair<std::string_view, V>> init) {
        for (const auto& kv : init) slot(kv.first, [&] { return kv.second; });
    }

    /// Same keys with equal values (order of insertion aside).
    friend bool operator==(const StringTable& a, const StringTable& b) {
        if (a.size() != b.size()) return false;
        bool same = true;
        a.for_each([&](std::string_view k, const V& v) {
            const V* w = const_cast<StringTable&>(b).find(k);
            same = same && w && *w == v;
        });
        return same;
    }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    /// Bytes held: the arena's blocks and the index (what a memory limit counts).
    std::size_t memory_bytes() const {
        std::size_t n = slots_.capacity() * sizeof(Slot);
        for (const Block& b : blocks_) n += b.size;
        return n;
    }

    /// The value of `key`, inserted as make() when absent.
    template <class Make>
    V& slot(std::string_view key, Make&& make) {
        const std::uint64_t h = Hash{}(key);
        if (V* v = find(key, h)) return *v;
        return insert_absent(key, h, make());
    }

    /// The same with the key's hash h = Hash{}(key) already known (a partitioned table has it).
    template <class Make>
    V& slot(std::string_view key, std::uint64_t h, Make&& make) {
        if (V* v = find(key, h)) return *v;
        return insert_absent(key, h, make());
    }

    V* find(std::string_view key) { return find(key, Hash{}(key)); }
    /// The same with the key's hash h = Hash{}(key) already known.
    V* find(std::string_view key, std::uint64_t h) {
        if (slots_.empty()) return nullptr;
        const std::uint32_t tag = tag_of(h);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = position(tag);; i = (i + 1) & mask) {
            const Slot s = slots_[i];
            if (s.ref == 0) return nullptr;
            if (s.tag == tag) {
                char* rec = record(s.ref);
                if (length_of(rec) == key.size() && detail::same_bytes(rec + value_bytes + 4, key.data(), key.size()))
                    return value_of(rec);
            }
        }
    }

    /// Room for n keys without growing the index.
    void reserve(std::size_t n) {
        std::size_t cap = 16;
        while (cap * 3 / 4 < n) cap *= 2;
        if (cap > slots_.size()) rehash(cap);
    }

    /// f(key, const V&) for every key, in insertion order.
    template <class F>
    void for_each(F&& f) const {
        walk([&](char* rec) { f(key_of(rec), *value_of(rec)); });
    }
    /// f(key, V&) for every key, in insertion order: the values may change, the keys stay.
    template <class F>
    void for_each_value(F&& f) {
        walk([&](char* rec) { f(key_of(rec), *value_of(rec)); });
    }

    /// f(key, V&&) for every key in insertion order; the table is empty afterwards and gives its
    /// memory back block by block as it goes.
    template <class F>
    void drain(F&& f) {
        drain_peeking<0>(NoPeek{}, f);
    }

    /// drain(f), with peek(key) called for each key Ahead keys before f gets it (fewer at the
    /// end of a block, whose keys are freed once passed): a merge hashes a key there and
    /// prefetches its slot in the other table, so that the lookup does not wait on memory.
    template <std::size_t Ahead, class Peek, class F>
    void drain_peeking(Peek&& peek, F&& f) {
        Index().swap(slots_);
        size_ = 0;
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
            Block& blk = blocks_[b];
            [[maybe_unused]] std::size_t lead = 0, peeked = 0;  // next key to peek at; peeked, not drained
            for (std::size_t off = 0; off < blk.used;) {
                if constexpr (!std::is_same_v<std::remove_cvref_t<Peek>, NoPeek>) {
                    while (peeked <= Ahead && lead < blk.used) {
                        const char* next = blk.data.get() + lead;
                        peek(key_of(next));
                        lead += record_size(length_of(next));
                        ++peeked;
                    }
                    --peeked;
                }
                char* rec = blk.data.get() + off;
                V* v = value_of(rec);
                try {
                    f(key_of(rec), std::move(*v));
                } catch (...) {
                    // The values from here on are still alive: destroy them, then drop everything.
                    for (std::size_t bb = b, o = off; bb < blocks_.size(); ++bb, o = 0) {
                        while (o < blocks_[bb].used) {
                            char* r = blocks_[bb].data.get() + o;
                            o += record_size(length_of(r));
                            value_of(r)->~V();
                        }
                    }
                    blocks_.clear();
                    throw;
                }
                off += record_size(length_of(rec));
                v->~V();
            }
            blk.data.reset();
        }
        blocks_.clear();
    }

    /// A key's hash, as the table computes it.
    static std::uint64_t hash(std::string_view key) { return Hash{}(key); }

    /// Fetches the index slot where a key with hash h = Hash{}(key) is looked up first into the
    /// cache, ahead of the lookup (a hint: no effect on the table).
    void prefetch(std::uint64_t h) const {
        if (!slots_.empty()) __builtin_prefetch(slots_.data() + position(tag_of(h)));
    }

    /// Frees the hash index now, ahead of drain(), which would free it anyway: a table drained
    /// after others (PartitionedTable::drain) does not hold its index while they are drained.
    /// Afterwards the table may only be drained or cleared.
    void release_index() { Index().swap(slots_); }

    /// Adds every key of `from` into this table: combine(V& into, V&& from) for keys present in
    /// both. `from` is drained.
    template <class Combine>
    void merge(StringTable&& from, Combine&& combine) {
        if (size_ < from.size_) swap(from);  // combine is commutative
        reserve(size_ + from.size_ / 2);
        // Each key is hashed `ahead` keys before its lookup, its slot prefetched then: in a big
        // table nearly every lookup missed the cache, one after another.
        constexpr std::size_t ahead = 7;
        std::array<std::uint64_t, ahead + 1> hashes;  // of the keys peeked at, not yet merged
        std::size_t in = 0, out = 0;
        from.template drain_peeking<ahead>(
            [&](std::string_view k) {
                const std::uint64_t h = Hash{}(k);
                prefetch(h);
                hashes[in++ % hashes.size()] = h;
            },
            [&](std::string_view k, V&& v) { merge_one(k, hashes[out++ % hashes.size()], std::move(v), combine); });
    }

    /// Adds one (key, value): combine(V& mine, V&& value) when the key is present, else inserts it.
    template <class Combine>
    void merge_one(std::string_view key, V&& value, Combine&& combine) {
        merge_one(key, Hash{}(key), std::move(value), combine);
    }
    /// The same with h = Hash{}(key) already known.
    template <class Combine>
    void merge_one(std::string_view key, std::uint64_t h, V&& value, Combine&& combine) {
        if (V* mine = find(key, h)) combine(*mine, std::move(value));
        else insert_new(key, h, std::move(value));
    }

    /// Empties the table but keeps its index and its first arena block, so refilling it with
    /// about as many keys (the next chunk's words) neither rehashes nor allocates.
    void reset() {
        if constexpr (!std::is_trivially_destructible_v<V>) walk([&](char* rec) { value_of(rec)->~V(); });
        // A first block longer than block_bytes holds one huge key: record numbers past
        // block_bytes would need the blocks after it, so it goes too.
        if (!blocks_.empty() && blocks_[0].size <= block_bytes) {
            blocks_.resize(1);
            blocks_[0].used = 0;
        } else {
            blocks_.clear();
        }
        std::fill(slots_.begin(), slots_.end(), Slot{});
        size_ = 0;
    }

    /// Splits this table into n tables by part_of(string_hash(key), n); this one is drained.
    std::vector<StringTable> split(std::size_t n) {
        std::vector<StringTable> parts(n);
        if (n == 1) {
            parts[0] = std::move(*this);
            return parts;
        }
        for (auto& p : parts) p.reserve(size_ / n + size_ / (8 * n) + 16);
        drain([&](std::string_view k, V&& v) {
            const std::uint64_t h = Hash{}(k);
            parts[part_of(h, n)].insert_new(k, h, std::move(v));
        });
        return parts;
    }

    void clear() {
        walk([&](char* rec) { value_of(rec)->~V(); });
        Index().swap(slots_);
        blocks_.clear();
        size_ = 0;
    }

    // ---- the table's memory as one image (values trivially copyable) ----------------------
    // For Mode::shm: a big partial crosses to the coordinator through a segment of its own as
    // its blocks and index copied whole, with no record encoded and no key hashed again
    // (engine/reduce/string_table_codec.hpp). Layout, in 8-byte words: size, index slots,
    // shift, blocks; each block's size and used bytes; the index; each block's used bytes.

    /// Bytes of the image.
    std::size_t image_bytes() const
        requires std::is_trivially_copyable_v<V>
    {
        std::size_t n = 8 * (4 + 2 * blocks_.size()) + slots_.size() * sizeof(Slot);
        for (const Block& b : blocks_) n += padded(b.used);
        return n;
    }

    /// Writes the image at `to` and returns its end, giving each block back once copied: the
    /// table is empty afterwards, and the image and the table are never both held whole.
    char* move_image(char* to)
        requires std::is_trivially_copyable_v<V>
    {
        const auto word = [&](std::uint64_t w) { std::memcpy(to, &w, 8), to += 8; };
        word(size_), word(slots_.size()), word(static_cast<std::uint64_t>(shift_)), word(blocks_.size());
        for (const Block& b : blocks_) word(b.size), word(b.used);
        if (!slots_.empty()) {
            detail::populate_pages(to, slots_.size() * sizeof(Slot), true);
            std::memcpy(to, slots_.data(), slots_.size() * sizeof(Slot));
        }
        to += slots_.size() * sizeof(Slot);
        release_index();
        for (Block& b : blocks_) {
            if (b.used > 0) {
                detail::populate_pages(to, b.used, true);
                std::memcpy(to, b.data.get(), b.used);
            }
            to += padded(b.used);
            b.data.reset();
        }
        blocks_.clear();
        size_ = 0;
        return to;
    }

    /// Replaces this table by the image at `from` (move_image's bytes); returns its end. Each
    /// piece of the image, once copied, is handed to release(const char* p, std::size_t n), so
    /// that its pages may be given back while the rest is read.
    template <class Release>
    const char* read_image(const char* from, Release&& release)
        requires std::is_trivially_copyable_v<V>
    {
        clear();
        const auto word = [&] {
            std::uint64_t w;
            std::memcpy(&w, from, 8);
            from += 8;
            return w;
        };
        const std::uint64_t n = word(), slots = word(), shift = word(), blocks = word();
        std::vector<std::pair<std::uint64_t, std::uint64_t>> sizes(blocks);
        for (auto& [size, used] : sizes) size = word(), used = word();
        // Both sides' pages mapped in one call each, not a trap per page (as move_image does).
        if (slots > 0) {
            slots_.reserve(slots);
            detail::populate_pages(slots_.data(), slots * sizeof(Slot), true);
            slots_.resize(slots);
            detail::populate_pages(from, slots * sizeof(Slot), false);
            std::memcpy(slots_.data(), from, slots * sizeof(Slot));
            release(from, slots * sizeof(Slot));
            from += slots * sizeof(Slot);
        }
        shift_ = static_cast<int>(shift);
        blocks_.reserve(blocks);
        for (const auto& [size, used] : sizes) {
            if (size == 0) {  // a placeholder after a huge record's block (append())
                blocks_.push_back({nullptr, 0, 0});
                continue;
            }
            blocks_.push_back({detail::big_buffer(size), size, used});
            detail::populate_pages(blocks_.back().data.get(), used, true);
            detail::populate_pages(from, used, false);
            std::memcpy(blocks_.back().data.get(), from, used);
            release(from, used);
            from += padded(used);
        }
        size_ = n;
        return from;
    }

    void swap(StringTable& o) noexcept {
        std::swap(slots_, o.slots_);
        std::swap(blocks_, o.blocks_);
        std::swap(size_, o.size_);
        std::swap(shift_, o.shift_);
    }

    /// Inserts a key known to be absent; returns its value.
    V& insert_distinct(std::string_view key, V&& value) { return insert_new(key, Hash{}(key), std::move(value)); }

    /// Inserts a key known to be absent (h = Hash{}(key)); returns its value.
    V& insert_new(std::string_view key, std::uint64_t h, V&& value) {
        if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        const std::size_t ref = append(key, std::move(value));
        index(h, ref);
        return *value_of(record(ref));
    }

    /// A record built outside any table, for a key too long to be worth a copy (read from a pipe,
    /// say): its bytes are written in place (key_data()), and insert_loose() hands the record's
    /// memory to a table. Allocated, not zeroed: only the pages written get memory.
    class LooseRecord {
    public:
        explicit LooseRecord(std::size_t len)
            : size_(record_size(checked(len))), data_(detail::big_buffer(size_)), len_(static_cast<std::uint32_t>(len)) {
            std::memcpy(data_.get() + value_bytes, &len_, 4);
            if (size_ > block_bytes) detail::advise_huge_pages(data_.get(), size_);
        }
        char* key_data() { return data_.get() + value_bytes + 4; }
        std::string_view key() const { return {data_.get() + value_bytes + 4, len_}; }

    private:
        friend class StringTable;
        static std::size_t checked(std::size_t len) {
            if (len > UINT32_MAX) throw std::length_error("StringTable: key longer than 4 GiB");
            return len;
        }
        std::size_t size_;
        detail::BigBuffer data_;
        std::uint32_t len_;
    };

    /// Inserts a loose record's key, known to be absent (h = Hash{}(rec.key())), with `value`. A
    /// record longer than an arena block becomes a block of its own, without a copy; a shorter
    /// one is copied into the arena as insert_new() would.
    V& insert_loose(LooseRecord&& rec, std::uint64_t h, V&& value) {
        const std::size_t need = rec.size_;
        if (need <= block_bytes) return insert_new(rec.key(), h, std::move(value));
        if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.empty() ? 16 : slots_.size() * 2);
        // As grow() does for a record longer than a block: block 0 at full size, then the
        // record's own block, then placeholders so that record(ref) stays a shift.
        if (blocks_.size() == 1 && blocks_[0].size < block_bytes) move_block0(block_bytes);
        const std::size_t off = blocks_.size() * block_bytes;
        if (off / align + 1 > UINT32_MAX) throw std::length_error("StringTable: more than 32 GiB of keys in one table");
        blocks_.reserve(blocks_.size() + (need + block_bytes - 1) / block_bytes);
        new (rec.data_.get()) V(std::move(value));
        blocks_.push_back({std::move(rec.data_), need, need});
        for (std::size_t j = block_bytes; j < need; j += block_bytes) blocks_.push_back({nullptr, 0, 0});
        index(h, off / align + 1);
        return *value_of(record(off / align + 1));
    }

    V& insert_distinct(LooseRecord&& rec, V&& value) {
        const std::uint64_t h = Hash{}(rec.key());
        return insert_loose(std::move(rec), h, std::move(value));
    }

    /// Adds a loose record's key: combine(V& mine, V&& value) when present, else insert_loose().
    template <class Combine>
    void merge_one(LooseRecord&& rec, std::uint64_t h, V&& value, Combine&& combine) {
        if (V* mine = find(rec.key(), h)) combine(*mine, std::move(value));
        else insert_loose(std::move(rec), h, std::move(value));
    }
    template <class Combine>
    void merge_one(LooseRecord&& rec, V&& value, Combine&& combine) {
        const std::uint64_t h = Hash{}(rec.key());
        merge_one(std::move(rec), h, std::move(value), combine);
    }

private:
    struct NoPeek {  // drain(): nothing to do ahead
        void operator()(std::string_view) const {}
    };

    void index(std::uint64_t h, std::size_t ref) {
        const std::uint32_t tag = tag_of(h);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = position(tag);; i = (i + 1) & mask) {
            if (slots_[i].ref == 0) {
                slots_[i] = {tag, static_cast<std::uint32_t>(ref)};
                break;
            }
        }
        ++size_;
    }

    // A new key, out of line: most lookups find their key, and the caller's loop (a tokenizer
    // calling slot() for every word) stays small enough to keep its values in registers.
    [[gnu::noinline]] V& insert_absent(std::string_view key, std::uint64_t h, V&& value) {
        return insert_new(key, h, std::move(value));
    }

    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t ref = 0;  // record number + 1; 0: empty
    };
    struct Block {
        detail::BigBuffer data;
        std::size_t size = 0;  // bytes allocated
        std::size_t used = 0;  // bytes holding records
    };
    static constexpr std::size_t block_bytes = BlockBytes;
    static_assert(std::has_single_bit(BlockBytes) && BlockBytes >= 4096);
    static constexpr std::size_t align = 8;
    static constexpr std::size_t value_bytes = (sizeof(V) + align - 1) / align * align;
    static_assert(alignof(V) <= align, "StringTable: values aligned beyond 8 bytes are not supported");

    static std::uint32_t tag_of(std::uint64_t h) { return static_cast<std::uint32_t>(h); }
    std::size_t position(std::uint32_t tag) const {
        return static_cast<std::size_t>((tag * 0x9E3779B97F4A7C15ull) >> shift_);
    }
    static constexpr std::size_t padded(std::size_t n) { return (n + align - 1) / align * align; }
    static std::size_t record_size(std::size_t len) { return value_bytes + padded(4 + len); }
    static V* value_of(char* rec) { return std::launder(reinterpret_cast<V*>(rec)); }
    static std::uint32_t length_of(const char* rec) {
        std::uint32_t n;
        std::memcpy(&n, rec + value_bytes, 4);
        return n;
    }
    static std::string_view key_of(const char* rec) { return {rec + value_bytes + 4, length_of(rec)}; }

    // Record number r lives at byte 8*(r-1) of the concatenated blocks; every block but the
    // last is block_bytes long, so the block is a shift away.
    char* record(std::size_t ref) const {
        const std::size_t off = (ref - 1) * align;
        return blocks_[off / block_bytes].data.get() + off % block_bytes;
    }

    std::size_t append(std::string_view key, V&& value) {
        if (key.size() > UINT32_MAX) throw std::length_error("StringTable: key longer than 4 GiB");
        const std::size_t need = record_size(key.size());
        if (blocks_.empty() || blocks_.back().used + need > blocks_.back().size) grow(need);
        Block& last = blocks_.back();
        const std::size_t off = (blocks_.size() - 1) * block_bytes + last.used;
        if (off / align + 1 > UINT32_MAX) throw std::length_error("StringTable: more than 32 GiB of keys in one table");
        char* rec = last.data.get() + last.used;
        new (rec) V(std::move(value));
        const auto n = static_cast<std::uint32_t>(key.size());
        std::memcpy(rec + value_bytes, &n, 4);
        if (!key.empty()) std::memcpy(rec + value_bytes + 4, key.data(), key.size());
        last.used += need;
        // A record longer than a block (one huge word) has a block of its own spanning k blocks
        // of the numbering: k-1 empty placeholders follow it, so record(ref) stays a shift.
        for (std::size_t j = block_bytes; j < need; j += block_bytes) blocks_.push_back({nullptr, 0, 0});
        return off / align + 1;
    }

    // Block 0 doubles (moving its records) until it is block_bytes long; then whole new blocks,
    // so every block but the last spans block_bytes of the record numbering (a record longer than
    // a block: see append()).
    void grow(std::size_t need) {
        if (need > block_bytes) {  // see append(): whole blocks of its own
            if (blocks_.size() == 1 && blocks_[0].size < block_bytes) move_block0(block_bytes);
            const std::size_t size = (need + block_bytes - 1) / block_bytes * block_bytes;
            blocks_.push_back({detail::big_buffer(size), size, 0});
            detail::advise_huge_pages(blocks_.back().data.get(), need);
            return;
        }
        if (blocks_.size() == 1 && blocks_[0].size < block_bytes) {
            std::size_t cap = blocks_[0].size * 2;
            while (cap < blocks_[0].used + need) cap *= 2;
            if (cap <= block_bytes) {
                move_block0(cap);
                return;
            }
            move_block0(block_bytes);  // block 0 is now full size; continue with a new block
        }
        const std::size_t size = blocks_.empty() ? std::max<std::size_t>(4096, std::bit_ceil(need)) : block_bytes;
        blocks_.push_back({detail::big_buffer(size), size, 0});
    }

    void move_block0(std::size_t cap) {
        detail::BigBuffer fresh = detail::big_buffer(cap);
        // The copy's pages mapped in one call, not a trap each: these copies were 28% of a
        // word count's page faults (real text, seq: 158 -> 149 ms on a host where a fault
        // costs 10 us).
        detail::populate_pages(fresh.get(), blocks_[0].used, true);
        if constexpr (std::is_trivially_copyable_v<V>) {
            std::memcpy(fresh.get(), blocks_[0].data.get(), blocks_[0].used);
        } else {
            for (std::size_t off = 0; off < blocks_[0].used;) {
                char* rec = blocks_[0].data.get() + off;
                const std::size_t sz = record_size(length_of(rec));
                new (fresh.get() + off) V(std::move(*value_of(rec)));
                value_of(rec)->~V();
                std::memcpy(fresh.get() + off + value_bytes, rec + value_bytes, sz - value_bytes);
                off += sz;
            }
        }
        blocks_[0].data = std::move(fresh);
        blocks_[0].size = cap;
    }

    template <class F>
    void walk(F&& f) const {
        for (std::size_t b = 0; b < blocks_.size(); ++b) {
            for (std::size_t off = 0; off < blocks_[b].used;) {
                char* rec = blocks_[b].data.get() + off;
                off += record_size(length_of(rec));
                f(rec);
            }
        }
    }

    void rehash(std::size_t cap) {
        Index fresh(cap);
        const std::size_t mask = cap - 1;
        const int shift = 64 - std::countr_zero(cap);
        for (const Slot& s : slots_) {
            if (s.ref == 0) continue;
            for (std::size_t i = static_cast<std::size_t>((s.tag * 0x9E3779B97F4A7C15ull) >> shift);; i = (i + 1) & mask) {
                if (fresh[i].ref == 0) {
                    fresh[i] = s;
                    break;
                }
            }
        }
        slots_.swap(fresh);
        shift_ = shift;
    }

    using Index = std::vector<Slot, detail::BigAllocator<Slot>>;
    Index slots_;
    std::vector<Block> blocks_;
    std::size_t size_ = 0;
    int shift_ = 64;  // 64 - log2(slots_.size()) once the index is built (rehash), kept so
                      // that a lookup does not recompute it
};

}  // namespace parapipe
