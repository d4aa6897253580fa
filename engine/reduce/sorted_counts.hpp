#pragma once
// count_by_key's result from a merged string table, sorted through compact references.
// Sorting the (std::string, count) pairs themselves moves 40-byte strings and calls memcmp on
// nearly every comparison, since most keys tie on a small count: on the 175k distinct words of
// 9 MB of real text that sort took longer than counting on two threads. A CountRef is 32
// trivially copyable bytes that carry the key's first 8 bytes as a big-endian number, so most
// comparisons end on two integers; the pairs are then built once, in order, in parallel.
// The references cost 32 bytes per key while the table and the result are both held, so past
// max_ref_sorted_keys the caller builds the result the lean way (drain the table into pairs,
// then sort them), as memory matters more than the sort there.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/reduce/orders.hpp>
#include <parapipe/engine/reduce/partitioned_table.hpp>

namespace parapipe::detail {

/// A key of the table and its count, while the result is sorted.
struct CountRef {
    std::uint64_t count;
    std::uint64_t prefix;  // the key's first 8 bytes as a big-endian number, zero-padded
    const char* data;
    std::size_t size;
};

inline std::uint64_t key_prefix(std::string_view k) {
    unsigned char b[8] = {};
    std::memcpy(b, k.data(), std::min<std::size_t>(k.size(), 8));
    std::uint64_t x = 0;
    for (unsigned char c : b) x = x << 8 | c;
    return x;
}

/// The keys' order as std::string's operator< gives it (bytes as unsigned char, then length).
/// Prefixes that differ decide it: a key that ended reads as zero bytes, below any byte the
/// other key has there, or the prefixes would be equal.
inline bool key_less(const CountRef& a, const CountRef& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return std::string_view(a.data, a.size) < std::string_view(b.data, b.size);
}
inline bool ref_less(const ByKey&, const CountRef& a, const CountRef& b) { return key_less(a, b); }
inline bool ref_less(const MostFrequent&, const CountRef& a, const CountRef& b) {
    return a.count != b.count ? a.count > b.count : key_less(a, b);
}

/// Orders sorted here (a user's own order type goes the lean way, through its operator()).
template <class Order>
inline constexpr bool ref_sorted_order = std::is_same_v<Order, ByKey> || std::is_same_v<Order, MostFrequent>;

/// Above this many keys, 32 bytes each next to the table and the result are too many.
inline constexpr std::size_t max_ref_sorted_keys = std::size_t{1} << 22;

/// The (key, count) pairs of `m` in `order`, its first order.limit only (0: all), with par's
/// threads. The table is left as it was.
template <std::size_t N, class Order>
    requires ref_sorted_order<Order>
std::vector<std::pair<std::string, std::uint64_t>> sorted_counts(const PartitionedTable<std::uint64_t, N>& m,
                                                                 const Order& order, const Parallelism& par) {
    std::array<std::size_t, N + 1> from{};
    for (std::size_t p = 0; p < N; ++p) from[p + 1] = from[p] + m.part(p).size();
    const std::size_t n = from[N];
    std::vector<CountRef> refs(n);
    parallel_for_n(N, par, [&](std::size_t p) {
        CountRef* r = refs.data() + from[p];
        m.part(p).for_each([&](std::string_view k, const std::uint64_t& c) { *r++ = {c, key_prefix(k), k.data(), k.size()}; });
    });
    const auto less = [&order](const CountRef& a, const CountRef& b) { return ref_less(order, a, b); };
    if (order.limit > 0 && order.limit < n) {
        std::partial_sort(refs.begin(), refs.begin() + static_cast<std::ptrdiff_t>(order.limit), refs.end(), less);
        refs.resize(order.limit);
    } else {
        parallel_sort(refs.begin(), refs.end(), less, par);
    }
    std::vector<std::pair<std::string, std::uint64_t>> out(refs.size());
    constexpr std::size_t block = 4096;
    parallel_for_n((refs.size() + block - 1) / block, par, [&](std::size_t b) {
        const std::size_t end = std::min(refs.size(), (b + 1) * block);
        for (std::size_t i = b * block; i < end; ++i) {
            out[i].first.assign(refs[i].data, refs[i].size);
            out[i].second = refs[i].count;
        }
    });
    return out;
}

}  // namespace parapipe::detail
