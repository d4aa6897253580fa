// engine/reduce/* — keyed reductions (count_by_key, reduce_by_key, group_by_key) give the result
// a plain loop gives in every mode, with string keys and other keys, few keys and many.
#include <gtest/gtest.h>

#include <map>

#include <parapipe/parapipe.hpp>

#include "tests/engine/flow_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::combine;
using testing::expect_everywhere;
using testing::MinMax;
using testing::numbers;

TEST(Flow, KeyedReductionsMatchAPlainLoop) {
    const std::uint64_t n = 3000;
    std::map<std::uint64_t, std::uint64_t> counts;
    std::map<std::string, MinMax> stats;
    std::map<std::uint64_t, std::vector<std::uint64_t>> groups;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t v = (i * 7919) % 1000;
        ++counts[v % 17];
        const auto s = static_cast<std::int64_t>(v);
        auto [it, fresh] = stats.try_emplace("k" + std::to_string(v % 5), MinMax{1, s, s, s});
        if (!fresh) it->second = combine(it->second, MinMax{1, s, s, s});
        groups[v % 7].push_back(v);
    }
    for (auto& [k, vs] : groups) std::sort(vs.begin(), vs.end());

    expect_everywhere([&] { return numbers(n).map([](std::uint64_t v) { return v % 17; }).count_by_key(); },
                      std::vector<std::pair<std::uint64_t, std::uint64_t>>(counts.begin(), counts.end()));
    expect_everywhere(
        [&] {
            return numbers(n).reduce_by_key([](std::uint64_t v) { return "k" + std::to_string(v % 5); },
                                            [](std::uint64_t v) {
                                                const auto s = static_cast<std::int64_t>(v);
                                                return MinMax{1, s, s, s};
                                            },
                                            combine);
        },
        std::vector<std::pair<std::string, MinMax>>(stats.begin(), stats.end()));
    expect_everywhere(
        [&] { return numbers(n).map([](std::uint64_t v) { return std::pair(v % 7, v); }).group_by_key(); },
        std::vector<std::pair<std::uint64_t, std::vector<std::uint64_t>>>(groups.begin(), groups.end()));
}

TEST(Flow, CountByKeyMostFrequentBreaksTiesByKey) {
    auto words = std::vector<std::string>{"b", "a", "c", "a", "b", "d"};
    const std::vector<std::pair<std::string, std::uint64_t>> expected = {{"a", 2}, {"b", 2}, {"c", 1}};
    expect_everywhere([&] { return range(words, 1).count_by_key(Identity{}, most_frequent(3)); }, expected);
}

// Keyed partials with string keys cross Mode::processes' pipes record by record and merge from
// the bytes (Plan::merge_serialized); their counters come after them in the same reply.
TEST(Flow, StringKeyedReductionsAndTheirCountersInEveryMode) {
    const std::uint64_t n = 3000;
    std::map<std::string, std::uint64_t> counts;
    std::map<std::string, std::vector<std::uint64_t>> groups;
    std::uint64_t big = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t v = (i * 7919) % 1000;
        ++counts["w" + std::to_string(v % 211)];
        groups["g" + std::to_string(v % 13)].push_back(v);
        big += v >= 500;
    }
    for (auto& [k, vs] : groups) std::sort(vs.begin(), vs.end());
    const std::vector<std::pair<std::string, std::uint64_t>> expect_counts(counts.begin(), counts.end());
    const std::vector<std::pair<std::string, std::vector<std::uint64_t>>> expect_groups(groups.begin(), groups.end());
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        Counters counters;
        auto got = numbers(n)
                       .map([](std::uint64_t v) {
                           if (v >= 500) parapipe::count("big");
                           return "w" + std::to_string(v % 211);
                       })
                       .count_by_key()
                       .run({.mode = mc.mode, .workers = mc.workers}, counters);
        EXPECT_EQ(got, testing::expected_here(mc, expect_counts));
        EXPECT_EQ(counters["big"], testing::expected_here(mc, big));
        EXPECT_EQ(numbers(n)
                      .map([](std::uint64_t v) { return std::pair("g" + std::to_string(v % 13), v); })
                      .group_by_key()
                      .run({.mode = mc.mode, .workers = mc.workers}),
                  testing::expected_here(mc, expect_groups));
    }
}

// Many distinct keys spread over many partials: the workers' partitioned tables merge partition
// by partition on several threads (Plan::merge_finalize) and give seq's result, in every mode,
// whatever the chunk size (a few keys per chunk up to one chunk for everything).
TEST(Flow, ManyDistinctKeysMergeByPartitionAsInSeq) {
    const std::uint64_t n = 4000;
    auto key = [](std::uint64_t i) { return "d" + std::to_string(i * 7919 % 3001); };  // most keys once or twice
    for (std::size_t chunk : {std::size_t{5}, std::size_t{97}, std::size_t{n}}) {
        SCOPED_TRACE("chunk " + std::to_string(chunk));
        auto items = [&] { return generate(n, [](std::uint64_t i) { return i; }, chunk); };
        auto counts = [&] { return items().map(key).count_by_key(); };
        auto frequent = [&] { return items().map(key).count_by_key(Identity{}, most_frequent()); };
        auto sums = [&] {
            return items()
                .map([&](std::uint64_t i) { return std::pair(key(i), i); })
                .reduce_by_key(detail::First{}, detail::Second{}, [](std::uint64_t a, std::uint64_t b) { return a + b; });
        };
        auto groups = [&] { return items().map([&](std::uint64_t i) { return std::pair(key(i), i); }).group_by_key(); };
        const auto seq_counts = counts().run({.mode = Mode::seq});
        ASSERT_GT(seq_counts.size(), n / 2);
        expect_everywhere(counts, seq_counts);
        expect_everywhere(frequent, frequent().run({.mode = Mode::seq}));
        expect_everywhere(sums, sums().run({.mode = Mode::seq}));
        expect_everywhere(groups, groups().run({.mode = Mode::seq}));
    }
}

}  // namespace
}  // namespace parapipe
