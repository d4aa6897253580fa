// engine/reduce/sorted_counts.hpp — count_by_key's result by a sample sort on 8-byte key
// prefixes: the same pairs, in the same order, as sorting the (std::string, count) pairs
// themselves, for keys that tie on their prefix, contain zero bytes or bytes above 0x7f, for
// every limit, one bucket or thousands, and on 1 to 3 threads; and for two tables counted
// together without a merge.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
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
    for (const auto& kn : pairs) t.slot(kn.first, [&] { return kn.second; });
    return t;
}

template <class Order>
Pairs reference(Pairs pairs, const Order& order) {
    std::sort(pairs.begin(), pairs.end(), order);
    if (order.limit > 0 && order.limit < pairs.size()) pairs.resize(order.limit);
    return pairs;
}

TEST(SortedCounts, CoarseOrderAgreesWithStringOrder) {
    const Pairs pairs = awkward_keys();
    ASSERT_GT(pairs.size(), 1000u);
    const auto coarse = [](const std::pair<std::string, std::uint64_t>& p) {
        return detail::CoarseKey{p.second, detail::key_prefix(p.first)};
    };
    std::size_t decided = 0;
    for (std::size_t i = 0; i < pairs.size(); ++i)
        for (std::size_t j : {std::size_t{0}, i / 2, pairs.size() - 1}) {
            // Where the coarse order decides, it decides as the whole order does.
            const auto& a = pairs[i];
            const auto& b = pairs[j];
            if (detail::coarse_less(ByKey{}, coarse(a), coarse(b))) {
                ++decided;
                EXPECT_LT(a.first, b.first) << i << " " << j;
            }
            if (detail::coarse_less(MostFrequent{}, coarse(a), coarse(b))) {
                EXPECT_TRUE(MostFrequent{}(a, b)) << i << " " << j;
            }
            // The rank the buckets are sorted on orders as the coarse order does.
            EXPECT_EQ(detail::coarse_rank(ByKey{}, coarse(a)) < detail::coarse_rank(ByKey{}, coarse(b)),
                      detail::coarse_less(ByKey{}, coarse(a), coarse(b)));
            EXPECT_EQ(detail::coarse_rank(MostFrequent{}, coarse(a)) < detail::coarse_rank(MostFrequent{}, coarse(b)),
                      detail::coarse_less(MostFrequent{}, coarse(a), coarse(b)));
            if (a.first.size() >= 8 && b.first.size() >= 8 && a.first.compare(0, 8, b.first, 0, 8) != 0) {
                EXPECT_NE(detail::key_prefix(a.first), detail::key_prefix(b.first));
            }
        }
    EXPECT_GT(decided, pairs.size() / 4);  // the prefixes decide for most keys against the largest
}

TEST(SortedCounts, SameResultAsSortingThePairsForEveryOrderLimitAndBucketSize) {
    const Pairs pairs = awkward_keys();
    const auto table = table_of(pairs);
    for (unsigned workers : {1u, 2u, 3u})
        for (std::size_t per_bucket : {std::size_t{1}, std::size_t{3}, std::size_t{100}, detail::keys_per_bucket})
            for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{10}, pairs.size() - 1, pairs.size(),
                                      pairs.size() + 5})
                // Both ways of filling the result: sized first and filled in parallel (every
                // result is under the bound), and grown as the pieces are freed (none is), a
                // window of one bucket, of a few, or of all of them at a time.
                for (const auto& fill : {std::pair{SIZE_MAX, detail::populate_window},
                                                            std::pair{std::size_t{0}, std::size_t{1}},
                                                            std::pair{std::size_t{0}, 7 * sizeof(Pairs::value_type)},
                                                            std::pair{std::size_t{0}, detail::populate_window}}) {
                    // A limit below the number of keys takes each partition's best candidates
                    // before any bucket is made or filled: one bucket size and fill is enough.
                    const bool best_only = limit > 0 && limit < pairs.size();
                    if (best_only && (per_bucket != 1 || fill.first != SIZE_MAX)) continue;
                    detail::with_arena(workers, [&, in_place_below = fill.first, window = fill.second](const Parallelism& par) {
                        const auto where = [&] {
                            return std::to_string(workers) + " workers, limit " + std::to_string(limit) + ", " +
                                   std::to_string(per_bucket) + " keys per bucket, in place below " +
                                   std::to_string(in_place_below) + ", window " + std::to_string(window);
                        };
                        auto t = table;
                        EXPECT_EQ(detail::sorted_counts(t, MostFrequent{limit}, par, per_bucket, in_place_below, window),
                                  reference(pairs, MostFrequent{limit}))
                            << where();
                        EXPECT_TRUE(t.empty());
                        t = table;
                        EXPECT_EQ(detail::sorted_counts(t, ByKey{limit}, par, per_bucket, in_place_below, window),
                                  reference(pairs, ByKey{limit}))
                            << where();
                        return 0;
                    });
                }
}

// Two workers' partials: each key in one of them, or in both with its count split. Counted
// together without a merge (absorb_shared), they give what sorting the pairs gives, whichever
// table is the larger in each partition, and with one of them empty.
TEST(SortedCounts, TwoTablesGiveWhatTheirMergeGives) {
    const Pairs pairs = awkward_keys();
    std::mt19937_64 rng(11);
    PartitionedTable<std::uint64_t> a, b;
    std::size_t shared = 0;
    for (const auto& [key, n] : pairs) {
        const std::uint64_t count = n;
        switch (rng() % 3) {
            case 0: a.slot(key, [&] { return count; }); break;
            case 1: b.slot(key, [&] { return count; }); break;
            default:
                if (count < 2) {
                    b.slot(key, [&] { return count; });
                    break;
                }
                ++shared;
                a.slot(key, [] { return std::uint64_t{1}; });
                b.slot(key, [&] { return count - 1; });
        }
    }
    ASSERT_GT(shared, 500u);
    const PartitionedTable<std::uint64_t> none;
    for (unsigned workers : {1u, 2u, 3u})
        for (std::size_t per_bucket : {std::size_t{1}, std::size_t{100}, detail::keys_per_bucket})
            for (std::size_t limit : {std::size_t{0}, std::size_t{10}, pairs.size()})
                for (std::size_t in_place_below : {SIZE_MAX, std::size_t{0}})
                    detail::with_arena(workers, [&](const Parallelism& par) {
                        const std::string where = std::to_string(workers) + " workers, limit " +
                                                  std::to_string(limit) + ", " + std::to_string(per_bucket) +
                                                  " keys per bucket, in place below " + std::to_string(in_place_below);
                        const auto both = [&](PartitionedTable<std::uint64_t> x, PartitionedTable<std::uint64_t> y,
                                              const auto& order) {
                            auto out = detail::sorted_counts(x, y, order, par, per_bucket, in_place_below, 7 * 40);
                            EXPECT_TRUE(x.empty() && y.empty()) << where;
                            return out;
                        };
                        EXPECT_EQ(both(a, b, MostFrequent{limit}), reference(pairs, MostFrequent{limit})) << where;
                        EXPECT_EQ(both(b, a, MostFrequent{limit}), reference(pairs, MostFrequent{limit})) << where;
                        EXPECT_EQ(both(a, b, ByKey{limit}), reference(pairs, ByKey{limit})) << where;
                        auto whole = a;
                        const auto add = [](std::uint64_t& x, std::uint64_t y) { x += y; };
                        whole.merge(PartitionedTable<std::uint64_t>(b), add);
                        EXPECT_EQ(both(whole, none, MostFrequent{limit}), reference(pairs, MostFrequent{limit}))
                            << where;
                        EXPECT_EQ(both(none, whole, ByKey{limit}), reference(pairs, ByKey{limit})) << where;
                        return 0;
                    });
}

TEST(SortedCounts, ManyKeysOnOneCountAndPrefix) {
    // Every key shares its count and its first 8 bytes: one coarse key, so every comparison
    // reads the bytes after the prefix, and the splitters cannot cut it.
    Pairs pairs;
    for (int i = 0; i < 3000; ++i) pairs.emplace_back("samestem" + std::to_string(i * 7 % 3001), 5);
    std::sort(pairs.begin(), pairs.end());
    auto t = table_of(pairs);
    detail::with_arena(2, [&](const Parallelism& par) {
        auto u = t;
        EXPECT_EQ(detail::sorted_counts(t, MostFrequent{}, par, 10), reference(pairs, MostFrequent{}));
        EXPECT_EQ(detail::sorted_counts(u, MostFrequent{}, par, 10, 0), reference(pairs, MostFrequent{}));
        return 0;
    });
}

TEST(SortedCounts, EmptyTableGivesNothing) {
    PartitionedTable<std::uint64_t> empty;
    detail::with_arena(2, [&](const Parallelism& par) {
        EXPECT_TRUE(detail::sorted_counts(empty, MostFrequent{}, par).empty());
        EXPECT_TRUE(detail::sorted_counts(empty, ByKey{3}, par).empty());
        return 0;
    });
}

}  // namespace
}  // namespace parapipe
