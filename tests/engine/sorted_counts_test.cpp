// engine/reduce/sorted_counts.hpp — count_by_key's result sorted through 8-byte key prefixes:
// the same pairs, in the same order, as sorting the (std::string, count) pairs themselves, for
// keys that tie on their prefix, contain zero bytes or bytes above 0x7f, and for every limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <parapipe/engine/reduce/keyed.hpp>
#include <parapipe/engine/reduce/sorted_counts.hpp>

namespace parapipe {
namespace {

using Pairs = std::vector<std::pair<std::string, std::uint64_t>>;

// Keys built to stress the prefix: shared first 8 bytes, zero bytes, high bytes, the empty key,
// keys that are prefixes of others.
Pairs awkward_keys() {
    Pairs out;
    std::mt19937_64 rng(7);
    const std::vector<std::string> stems = {"", "a", "ab", std::string("ab\0", 3), std::string("ab\0\0", 4),
                                            "abcdefgh", "abcdefghi", "abcdefgh\xff", "\xff", "\x80\x01",
                                            std::string("\0", 1), "zz", "abcdefgg\x7f"};
    for (const auto& s : stems) out.emplace_back(s, rng() % 3 + 1);
    for (int i = 0; i < 5000; ++i) {
        std::string k = stems[rng() % stems.size()];
        const std::size_t extra = rng() % 12;
        for (std::size_t j = 0; j < extra; ++j) k += static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 3);
        out.emplace_back(std::move(k), rng() % 4 + 1);  // small counts: most comparisons tie on the count
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
              out.end());
    return out;
}

PartitionedTable<std::uint64_t> table_of(const Pairs& pairs) {
    PartitionedTable<std::uint64_t> t;
    for (const auto& [k, n] : pairs) t.slot(k, [&] { return n; });
    return t;
}

template <class Order>
Pairs reference(Pairs pairs, const Order& order) {
    std::sort(pairs.begin(), pairs.end(), order);
    if (order.limit > 0 && order.limit < pairs.size()) pairs.resize(order.limit);
    return pairs;
}

TEST(SortedCounts, PrefixOrderIsStringOrder) {
    const Pairs pairs = awkward_keys();
    ASSERT_GT(pairs.size(), 1000u);
    for (std::size_t i = 0; i < pairs.size(); ++i)
        for (std::size_t j : {std::size_t{0}, i / 2, pairs.size() - 1}) {
            const auto& a = pairs[i].first;
            const auto& b = pairs[j].first;
            const detail::CountRef ra{0, detail::key_prefix(a), a.data(), a.size()};
            const detail::CountRef rb{0, detail::key_prefix(b), b.data(), b.size()};
            EXPECT_EQ(detail::key_less(ra, rb), a < b) << i << " " << j;
            EXPECT_EQ(detail::key_less(rb, ra), b < a) << i << " " << j;
        }
}

TEST(SortedCounts, SameResultAsSortingThePairsForEveryOrderAndLimit) {
    const Pairs pairs = awkward_keys();
    const auto table = table_of(pairs);
    for (unsigned workers : {1u, 2u, 3u})
        for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{10}, pairs.size() - 1, pairs.size(),
                                  pairs.size() + 5}) {
            detail::with_arena(workers, [&](const Parallelism& par) {
                EXPECT_EQ(detail::sorted_counts(table, MostFrequent{limit}, par), reference(pairs, MostFrequent{limit}))
                    << workers << " workers, limit " << limit;
                EXPECT_EQ(detail::sorted_counts(table, ByKey{limit}, par), reference(pairs, ByKey{limit}))
                    << workers << " workers, limit " << limit;
                return 0;
            });
        }
}

TEST(SortedCounts, EmptyTableGivesNothing) {
    const PartitionedTable<std::uint64_t> empty;
    detail::with_arena(2, [&](const Parallelism& par) {
        EXPECT_TRUE(detail::sorted_counts(empty, MostFrequent{}, par).empty());
        EXPECT_TRUE(detail::sorted_counts(empty, ByKey{3}, par).empty());
        return 0;
    });
}

}  // namespace
}  // namespace parapipe
