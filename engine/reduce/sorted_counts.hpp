#pragma once
// count_by_key's result from a merged string table, or from two tables that count no key twice
// (absorb_shared): (key, count) pairs in ByKey or MostFrequent order, built and sorted in
// parallel with no more memory than the tables and the result.
//
// Sorting the pairs as one range moves 40-byte strings and calls memcmp on nearly every
// comparison (most keys tie on a small count): on 20 million distinct words it took 13 s on one
// thread, longer than counting them. Instead, a sample of the keys gives splitters that cut the
// order into buckets (a sample sort). A result of modest size is sized up front, faulted in on
// every thread, and each partition of the table is drained, in parallel, straight into its keys'
// places. A big one is drained into one piece per bucket, freeing the table as the pieces grow,
// and the pieces are moved into the result bucket by bucket as they are freed, to keep the peak,
// with the result's memory faulted in ahead on every thread. The buckets are sorted
// independently, each through 24-byte references that carry the key's first 8 bytes as a
// big-endian number, so most comparisons end on two integers (and sort without a branch).
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/mman.h>

#include <boost/sort/pdqsort/pdqsort.hpp>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/reduce/orders.hpp>
#include <parapipe/engine/reduce/partitioned_table.hpp>
#include <parapipe/engine/reduce/string_table.hpp>

namespace parapipe::detail {

/// The key's first 8 bytes as a big-endian number, zero-padded.
inline std::uint64_t key_prefix(std::string_view k) {
    std::uint64_t x = 0;
    std::memcpy(&x, k.data(), std::min<std::size_t>(k.size(), 8));
    if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
    return x;
}

/// A key's place in the order before its bytes past the prefix are looked at.
struct CoarseKey {
    std::uint64_t count;
    std::uint64_t prefix;
};

/// The coarse order: consistent with `Order` on the whole key, as prefixes that differ decide
/// the keys' order (a key that ended reads as zero bytes, below any byte the other has there,
/// or the prefixes would be equal).
inline bool coarse_less(const ByKey&, const CoarseKey& a, const CoarseKey& b) { return a.prefix < b.prefix; }
inline bool coarse_less(const MostFrequent&, const CoarseKey& a, const CoarseKey& b) {
    return a.count != b.count ? a.count > b.count : a.prefix < b.prefix;
}

/// The coarse order as one unsigned number per key, so that sorting compares two integers
/// with no branch: the count complemented (most frequent first), then the prefix.
inline unsigned __int128 coarse_rank(const ByKey&, const CoarseKey& k) { return k.prefix; }
inline unsigned __int128 coarse_rank(const MostFrequent&, const CoarseKey& k) {
    return (static_cast<unsigned __int128>(~k.count) << 64) | k.prefix;
}

/// Orders sorted here (a user's own order type goes through its operator() on the pairs).
template <class Order>
inline constexpr bool ref_sorted_order = std::is_same_v<Order, ByKey> || std::is_same_v<Order, MostFrequent>;

/// Sorts out[0, n) by `order`: through references that hold the coarse key and the position,
/// then gathers the pairs in order into a buffer (the reads are random, so each is prefetched a
/// few ahead) and moves them back. The references are sorted on their coarse rank alone by
/// pdqsort's branchless variant, and each run of equal ranks (keys that share their count and
/// first 8 bytes) afterwards by the whole key: std::sort with the whole order in one comparison
/// spent most of its time on mispredicted branches (175k words of real text: 11 ms against 5).
template <class Order>
void sort_bucket(std::pair<std::string, std::uint64_t>* out, std::size_t n, const Order& order) {
    struct Ref {
        CoarseKey key;
        std::size_t at;
    };
    const auto rank = [&order](const Ref& r) { return coarse_rank(order, r.key); };
    std::vector<Ref> refs(n);
    for (std::size_t i = 0; i < n; ++i) refs[i] = {{out[i].second, key_prefix(out[i].first)}, i};
    boost::sort::pdqsort_branchless(refs.begin(), refs.end(),
                                    [&](const Ref& a, const Ref& b) { return rank(a) < rank(b); });
    for (std::size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && rank(refs[j]) == rank(refs[i]);) ++j;
        if (j - i > 1)
            std::sort(refs.begin() + static_cast<std::ptrdiff_t>(i), refs.begin() + static_cast<std::ptrdiff_t>(j),
                      [&](const Ref& a, const Ref& b) { return out[a.at].first < out[b.at].first; });
    }
    constexpr std::size_t ahead = 8;
    std::vector<std::pair<std::string, std::uint64_t>> sorted;
    sorted.reserve(n);
    for (std::size_t j = 0; j < n; ++j) {
        if (j + ahead < n) __builtin_prefetch(out + refs[j + ahead].at);
        sorted.push_back(std::move(out[refs[j].at]));
    }
    std::move(sorted.begin(), sorted.end(), out);
}

/// Keys per bucket the splitters aim at: small enough to sort in cache, many buckets for balance.
inline constexpr std::size_t keys_per_bucket = std::size_t{1} << 14;
inline constexpr std::size_t max_buckets = 256;
/// Results smaller than this (in pairs' bytes) are sized first and filled in parallel; larger
/// ones grow as their pieces are freed, which keeps the peak at the result's size.
inline constexpr std::size_t in_place_bytes = std::size_t{64} << 20;

/// Bytes of a big result grown, faulted in (populate) and filled at a time.
inline constexpr std::size_t populate_window = std::size_t{64} << 20;

/// Faults in [p, p + bytes) for writing on par's threads, in 2 MiB slices (a huge page each, so no
/// two threads fault the same one): MADV_POPULATE_WRITE, then one write per 4 KiB page. Under a
/// hypervisor that shadows the guest's page tables, the first touch of a populated page still
/// traps to the host (about 5 us a page; 8 MiB: populate 1.5 ms, then the first touches 10.5
/// ms), and the value-initialization that follows runs on one thread: those writes take that
/// trap here, in parallel. Where populating maps a page for the host too, they cost next to
/// nothing. Without MADV_POPULATE_WRITE (a kernel before Linux 5.14 refuses it, older headers
/// lack it) these writes take the faults themselves, still in parallel.
inline void populate(char* p, std::size_t bytes, const Parallelism& par) {
    constexpr std::uintptr_t slice = std::uintptr_t{2} << 20;
    const std::uintptr_t from = (reinterpret_cast<std::uintptr_t>(p) + 4095) & ~std::uintptr_t{4095};
    const std::uintptr_t to = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~std::uintptr_t{4095};
    if (to <= from) return;
    const std::uintptr_t first = from & ~(slice - 1);
    parallel_for_n((to - first + slice - 1) / slice, par, [&](std::size_t i) {
        const std::uintptr_t a = std::max(from, first + i * slice), z = std::min(to, first + (i + 1) * slice);
        if (z <= a) return;
#ifdef MADV_POPULATE_WRITE
        ::madvise(reinterpret_cast<void*>(a), z - a, MADV_POPULATE_WRITE);
#endif
        for (std::uintptr_t q = a; q < z; q += 4096) *reinterpret_cast<volatile char*>(q) = 0;
    });
}

/// Adds to the larger of two count tables the count of every key the smaller one shares with
/// it, and zeroes that key's count in the smaller one, so that between them they count each key
/// once (a zero count is no key: a counted key counts at least 1). Unlike merging one into the
/// other, this copies no key and grows no table (bench/micro BM_FinishTwoTables: the end of a
/// two-worker run 4-10% faster). Each lookup's slot is prefetched a few keys ahead, as in
/// StringTable::merge. Returns the number of keys zeroed.
template <class Table>
std::size_t absorb_shared(Table& a, Table& b) {
    Table& big = a.size() >= b.size() ? a : b;
    Table& small = a.size() >= b.size() ? b : a;
    struct Pending {
        std::string_view key;
        std::uint64_t* count;
        std::uint64_t hash;
    };
    constexpr std::size_t ahead = 8;
    std::array<Pending, ahead> ring;  // keys whose slot is being fetched, oldest at queued % ahead
    std::size_t queued = 0, zeroed = 0;
    const auto settle = [&](const Pending& q) {
        if (std::uint64_t* mine = big.find(q.key, q.hash)) {
            *mine += *q.count;
            *q.count = 0;
            ++zeroed;
        }
    };
    small.for_each_value([&](std::string_view k, std::uint64_t& c) {
        const std::uint64_t h = Table::hash(k);
        big.prefetch(h);
        if (queued >= ahead) settle(ring[queued % ahead]);
        ring[queued++ % ahead] = {k, &c, h};
    });
    for (std::size_t i = queued > ahead ? queued - ahead : 0; i < queued; ++i) settle(ring[i % ahead]);
    return zeroed;
}

/// The counts of two tables that count no key twice (absorb_shared): partition p is the first
/// table's partition p, then the second's, zero counts skipped.
template <std::size_t N>
class DisjointCounts {
public:
    using Table = PartitionedTable<std::uint64_t, N>;
    DisjointCounts(Table& a, Table& b, std::size_t size) : a_(a), b_(b), size_(size) {}

    /// Keys counted.
    std::size_t size() const { return size_; }
    /// Keys in partition p, zero counts included: a bound, for reserving.
    std::size_t part_size(std::size_t p) const { return a_.part(p).size() + b_.part(p).size(); }
    template <class F>
    void for_each(std::size_t p, F&& f) const {
        const auto counted = [&](std::string_view k, const std::uint64_t& c) {
            if (c != 0) f(k, c);
        };
        a_.part(p).for_each(counted);
        b_.part(p).for_each(counted);
    }
    /// for_each, draining partition p (StringTable::drain); the same keys in the same order.
    template <class F>
    void drain(std::size_t p, F&& f) {
        const auto counted = [&](std::string_view k, std::uint64_t&& c) {
            if (c != 0) f(k, std::move(c));
        };
        a_.part(p).drain(counted);
        b_.part(p).drain(counted);
    }
    /// Frees every partition's index ahead of the drains (StringTable::release_index).
    void release_indexes() {
        for (std::size_t p = 0; p < N; ++p) {
            a_.part(p).release_index();
            b_.part(p).release_index();
        }
    }
    void clear() {
        a_.clear();
        b_.clear();
    }

private:
    Table& a_;
    Table& b_;
    std::size_t size_;
};

/// The (key, count) pairs of `m` in `order`, its first order.limit only (0: all), with par's
/// threads. The tables are drained: they are empty afterwards.
template <std::size_t N, class Order>
    requires ref_sorted_order<Order>
std::vector<std::pair<std::string, std::uint64_t>> sorted_counts_of(DisjointCounts<N>& m, const Order& order,
                                                                    const Parallelism& par, std::size_t per_bucket,
                                                                    std::size_t in_place_below,
                                                                    std::size_t window_bytes) {
    using Pair = std::pair<std::string, std::uint64_t>;
    const auto less = [&order](const CoarseKey& a, const CoarseKey& b) { return coarse_less(order, a, b); };
    const std::size_t n = m.size();

    // The first `limit` only: each partition's best candidates, then the best of those.
    if (order.limit > 0 && order.limit < n) {
        std::vector<std::vector<Pair>> best(N);
        parallel_for_n(N, par, [&](std::size_t p) {
            best[p].reserve(std::min(m.part_size(p), 2 * order.limit + 1));
            m.for_each(p, [&](std::string_view k, const std::uint64_t& c) {
                if (best[p].size() == 2 * order.limit) {  // keep the best `limit` of the candidates so far
                    std::nth_element(best[p].begin(), best[p].begin() + static_cast<std::ptrdiff_t>(order.limit) - 1,
                                     best[p].end(), order);
                    best[p].resize(order.limit);
                }
                best[p].emplace_back(std::string(k), c);
            });
        });
        m.clear();
        std::vector<Pair> out;
        for (auto& b : best) std::move(b.begin(), b.end(), std::back_inserter(out));
        std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(order.limit), out.end(), order);
        out.resize(order.limit);
        return out;
    }

    const std::size_t buckets = std::clamp<std::size_t>(n / std::max<std::size_t>(1, per_bucket), 1, max_buckets);

    // Splitters from a sample of every partition, in proportion to its size.
    std::vector<CoarseKey> splitters;
    if (buckets > 1) {
        const std::size_t every = std::max<std::size_t>(1, n / (buckets * 32));
        std::vector<std::vector<CoarseKey>> samples(N);
        parallel_for_n(N, par, [&](std::size_t p) {
            std::size_t i = 0;
            m.for_each(p, [&](std::string_view k, const std::uint64_t& c) {
                if (i++ % every == 0) samples[p].push_back({c, key_prefix(k)});
            });
        });
        std::vector<CoarseKey> sample;
        for (const auto& s : samples) sample.insert(sample.end(), s.begin(), s.end());
        std::sort(sample.begin(), sample.end(), less);
        for (std::size_t b = 1; b < buckets; ++b) splitters.push_back(sample[b * sample.size() / buckets]);
    }
    const auto bucket_of = [&](std::string_view k, std::uint64_t c) {
        const CoarseKey key{c, key_prefix(k)};
        return static_cast<std::uint32_t>(std::upper_bound(splitters.begin(), splitters.end(), key, less) -
                                          splitters.begin());
    };

    // The bucket of each key of partition p, in the order for_each() and drain() give them, each
    // bucket's keys counted into count[0, buckets).
    const auto key_buckets = [&](std::size_t p, std::size_t* count) {
        std::vector<std::uint32_t> bucket;
        bucket.reserve(m.part_size(p));
        m.for_each(p, [&](std::string_view k, const std::uint64_t& c) {
            bucket.push_back(bucket_of(k, c));
            ++count[bucket.back()];
        });
        return bucket;
    };

    // Every partition drained into one piece per bucket: piece[p * buckets + b] holds partition
    // p's keys of bucket b. The table is freed as the pieces grow.
    const auto drain_into = [&](auto& piece) {
        m.release_indexes();
        parallel_for_n(N, par, [&](std::size_t p) {
            std::vector<std::size_t> count(buckets, 0);
            const std::vector<std::uint32_t> bucket = key_buckets(p, count.data());
            for (std::size_t b = 0; b < buckets; ++b) {
                if (count[b] == 0) continue;
                // Mapped in one call, not a fault per 4 KiB page as it fills: the pieces of a big
                // result are as big as the result, and too small each for huge pages.
                piece[p * buckets + b].reserve(count[b]);
                populate_pages(piece[p * buckets + b].data(), count[b] * sizeof(Pair), true);
            }
            std::size_t i = 0;
            m.drain(p, [&](std::string_view k, std::uint64_t&& c) {
                piece[p * buckets + bucket[i++]].emplace_back(std::string(k), c);
            });
        });
        m.clear();
    };
    std::vector<std::size_t> bucket_begin(buckets + 1, 0);
    std::vector<Pair> out;

    // Moves buckets [b0, b1) of `piece` into `out` (sized to hold them), freeing each piece once
    // moved, and sorts them: one task per bucket, on par's threads.
    const auto move_and_sort = [&](auto& piece, std::size_t b0, std::size_t b1) {
        parallel_for_n(b1 - b0, par, [&](std::size_t i) {
            const std::size_t b = b0 + i;
            Pair* to = out.data() + bucket_begin[b];
            for (std::size_t p = 0; p < N; ++p) {
                auto& from = piece[p * buckets + b];
                to = std::move(from.begin(), from.end(), to);
                std::remove_reference_t<decltype(from)>().swap(from);
            }
            sort_bucket(out.data() + bucket_begin[b], bucket_begin[b + 1] - bucket_begin[b], order);
        });
    };
    const auto count_buckets = [&](const auto& piece) {
        for (std::size_t b = 0; b < buckets; ++b) {
            bucket_begin[b + 1] = bucket_begin[b];
            for (std::size_t p = 0; p < N; ++p) bucket_begin[b + 1] += piece[p * buckets + b].size();
        }
    };

    if (n * sizeof(Pair) < in_place_below) {
        // A result of modest size: sized up front, each partition drained straight into its
        // keys' places (a first pass counts its keys per bucket), then the buckets sorted in
        // parallel. Pieces per bucket, moved into the result afterwards, cost as much fresh
        // memory again as the result: 7 MB of page faults on 9 MB of real text.
        m.release_indexes();
        std::vector<std::vector<std::uint32_t>> key_bucket(N);
        std::vector<std::size_t> at(N * buckets, 0);  // [p * buckets + b]: counts, then places
        parallel_for_n(N, par, [&](std::size_t p) { key_bucket[p] = key_buckets(p, at.data() + p * buckets); });
        for (std::size_t b = 0; b < buckets; ++b) {  // bucket b: partition 0's keys, then 1's, ...
            bucket_begin[b + 1] = bucket_begin[b];
            for (std::size_t p = 0; p < N; ++p)
                bucket_begin[b + 1] += std::exchange(at[p * buckets + b], bucket_begin[b + 1]);
        }
        // Faulted in on par's threads first: value-initializing 7 MB of fresh pages on one
        // thread was 3 ms of a two-thread run alone (9.2 MB of real text). On one thread too:
        // one call per 2 MiB instead of a trap per 4 KiB page (seq on that text: 160.9 -> 152.8
        // ms on a host where a fault costs 10 us). On that host the resize still took 9-10 ms
        // of a two-thread run alone, at the first touch of each populated page, until populate
        // took that touch too (populate and resize: 10.0 -> 7.1 ms, 15 alternated runs).
        out.reserve(bucket_begin[buckets]);
        populate(reinterpret_cast<char*>(out.data()), out.capacity() * sizeof(Pair), par);
        out.resize(bucket_begin[buckets]);
        parallel_for_n(N, par, [&](std::size_t p) {
            const std::uint32_t* b = key_bucket[p].data();
            std::size_t* place = at.data() + p * buckets;
            m.drain(p, [&](std::string_view k, std::uint64_t&& c) {
                Pair& to = out[place[*b++]++];
                to.first.assign(k);
                to.second = c;
            });
            std::vector<std::uint32_t>().swap(key_bucket[p]);
        });
        m.clear();
        parallel_for_n(buckets, par, [&](std::size_t b) {
            sort_bucket(out.data() + bucket_begin[b], bucket_begin[b + 1] - bucket_begin[b], order);
        });
        return out;
    }

    // A big result: it grows a window of whole buckets at a time, and each window's pieces are
    // freed as they are moved into it, so the peak stays that of the result (plus a window).
    // Every piece is mapped and unmapped whole: pieces from the heap would stay resident after
    // being moved (glibc keeps freed chunks mid-heap), doubling the peak. Each window's memory
    // is faulted in on par's threads first (on a fresh 800 MiB result the page faults were a
    // serial second of a 7 s run: 20M distinct words, threads x2), and its buckets are moved
    // and sorted in parallel: moved one after another, they were a serial quarter of that run.
    using Piece = std::vector<Pair, BigAllocator<Pair, 1>>;
    std::vector<Piece> piece(N * buckets);
    drain_into(piece);
    count_buckets(piece);
    out.reserve(n);
    // On one thread a window is one bucket: nothing runs beside it, and the peak stays lowest.
    const std::size_t window = par.workers > 1 ? window_bytes : 0;
    for (std::size_t b0 = 0, b1; b0 < buckets; b0 = b1) {
        b1 = b0 + 1;  // the window: whole buckets, at most `window` bytes unless one bucket is more
        while (b1 < buckets && (bucket_begin[b1 + 1] - bucket_begin[b0]) * sizeof(Pair) <= window) ++b1;
        const std::size_t fresh = (bucket_begin[b1] - bucket_begin[b0]) * sizeof(Pair);
        populate(reinterpret_cast<char*>(out.data() + bucket_begin[b0]), fresh, par);
        out.resize(bucket_begin[b1]);
        move_and_sort(piece, b0, b1);
    }
    return out;
}

/// The (key, count) pairs of two tables together (two workers' partials) in `order`, its first
/// order.limit only (0: all), with par's threads, without merging the tables: the keys they
/// share are counted in one and zeroed in the other (absorb_shared), partition by partition.
/// Both tables are drained: they are empty afterwards.
template <std::size_t N, class Order>
    requires ref_sorted_order<Order>
std::vector<std::pair<std::string, std::uint64_t>> sorted_counts(PartitionedTable<std::uint64_t, N>& a,
                                                                 PartitionedTable<std::uint64_t, N>& b,
                                                                 const Order& order, const Parallelism& par,
                                                                 std::size_t per_bucket = keys_per_bucket,
                                                                 std::size_t in_place_below = in_place_bytes,
                                                                 std::size_t window_bytes = populate_window) {
    std::array<std::size_t, N> zeroed{};
    parallel_for_n(N, par, [&](std::size_t p) { zeroed[p] = absorb_shared(a.part(p), b.part(p)); });
    std::size_t n = a.size() + b.size();
    for (const std::size_t z : zeroed) n -= z;
    DisjointCounts<N> counts(a, b, n);
    return sorted_counts_of(counts, order, par, per_bucket, in_place_below, window_bytes);
}

/// The same for one table. The table is drained: it is empty afterwards. (per_bucket,
/// in_place_below, window_bytes: for tests.)
template <std::size_t N, class Order>
    requires ref_sorted_order<Order>
std::vector<std::pair<std::string, std::uint64_t>> sorted_counts(PartitionedTable<std::uint64_t, N>& m,
                                                                 const Order& order, const Parallelism& par,
                                                                 std::size_t per_bucket = keys_per_bucket,
                                                                 std::size_t in_place_below = in_place_bytes,
                                                                 std::size_t window_bytes = populate_window) {
    PartitionedTable<std::uint64_t, N> none;  // the counts of m and of no other table
    return sorted_counts(m, none, order, par, per_bucket, in_place_below, window_bytes);
}

}  // namespace parapipe::detail
