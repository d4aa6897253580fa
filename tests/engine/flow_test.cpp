// engine/flow.hpp, engine/reduce/* — every operation gives the same result in every mode, and
// that result is the one a plain loop gives; multi-stage pipelines; counters; property tests
// over random inputs and random chunk sizes.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include <parapipe/parapipe.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::TempDir;

// A user's value type: one PARAPIPE_FIELDS line and it runs in every mode.
struct MinMax {
    std::int64_t count = 0, sum = 0, min = 0, max = 0;
    PARAPIPE_FIELDS(count, sum, min, max)
    friend bool operator==(const MinMax&, const MinMax&) = default;
};
MinMax combine(MinMax a, const MinMax& b) {
    return {a.count + b.count, a.sum + b.sum, std::min(a.min, b.min), std::max(a.max, b.max)};
}

// Runs make() in every mode and checks that each gives `expected` (an empty result on the mpi
// ranks that do not output).
template <class Make, class T>
void expect_everywhere(Make make, const T& expected) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        EXPECT_EQ(make().run({.mode = mc.mode, .workers = mc.workers}), testing::expected_here(mc, expected));
    }
}

auto numbers(std::uint64_t n) {
    return generate(n, [](std::uint64_t i) { return (i * 7919) % 1000; }, 37);
}

TEST(Flow, GlobalReductionsMatchAPlainLoop) {
    const std::uint64_t n = 5000;
    std::vector<std::uint64_t> plain;
    for (std::uint64_t i = 0; i < n; ++i) plain.push_back((i * 7919) % 1000);
    std::uint64_t sum = 0;
    for (auto v : plain) sum += v;
    auto sorted = plain;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint64_t> top(sorted.rbegin(), sorted.rbegin() + 5);

    expect_everywhere([&] { return numbers(n).sum(); }, sum);
    expect_everywhere([&] { return numbers(n).count(); }, n);
    expect_everywhere([&] { return numbers(n).sort(); }, sorted);
    expect_everywhere([&] { return numbers(n).top_k(5); }, top);
    expect_everywhere([&] { return numbers(n).reduce([](std::uint64_t a, std::uint64_t b) { return std::max(a, b); }); },
                      std::optional<std::uint64_t>(sorted.back()));
    expect_everywhere([&] { return numbers(0).reduce([](std::uint64_t a, std::uint64_t b) { return a + b; }); },
                      std::optional<std::uint64_t>());
}

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

TEST(Flow, ASecondStageStartsFromTheFirstStagesResult) {
    TempDir dir;
    const auto path = dir.write("w.txt", "a b b c c c d d d d e e e e x y z");
    // Word counts, then how many words occur exactly k times.
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> expected = {{1, 4}, {2, 1}, {3, 1}, {4, 2}};
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        RunOptions opt{.mode = mc.mode, .workers = mc.workers};
        auto counts = text_files({path}, 4).flat_map(ops::words).count_by_key().run(opt);
        auto freq = range(counts, 1).map([](const auto& kv) { return kv.second; }).count_by_key().run(opt);
        EXPECT_EQ(freq, testing::expected_here(mc, expected));
    }
}

TEST(Flow, FlatMapTakesARangeOrAnEmitter) {
    auto by_range = [] { return numbers(100).flat_map([](std::uint64_t v) { return std::vector<std::uint64_t>{v, v}; }).count(); };
    auto by_emit = [] {
        return numbers(100).flat_map<std::uint64_t>([](std::uint64_t v, auto&& emit) { emit(v), emit(v), emit(v); }).count();
    };
    expect_everywhere(by_range, std::uint64_t{200});
    expect_everywhere(by_emit, std::uint64_t{300});
}

TEST(Flow, CountersAddUpInEveryMode) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        Counters counters;
        auto kept = numbers(1000)
                        .filter([](std::uint64_t v) {
                            if (v % 2) parapipe::count("odd");
                            return v % 2 == 0;
                        })
                        .count()
                        .run({.mode = mc.mode, .workers = mc.workers}, counters);
        EXPECT_EQ(counters.size(), testing::expected_here(mc, std::size_t{1}));  // before [] adds "odd"
        EXPECT_EQ(kept + counters["odd"], testing::expected_here(mc, std::uint64_t{1000}));
    }
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

// A partial that cannot leave the process: fine in seq and threads, one clear error elsewhere.
struct Opaque {
    int v = 0;
    friend bool operator==(const Opaque&, const Opaque&) = default;
};

TEST(Flow, AProcessModeRefusesAPartialWithoutACodec) {
    auto flow = [] {
        return generate(10, [](std::uint64_t i) { return Opaque{static_cast<int>(i)}; }).reduce([](Opaque a, Opaque b) {
            return Opaque{a.v + b.v};
        });
    };
    EXPECT_EQ(flow().run({.mode = Mode::seq}), Opaque{45});
    EXPECT_EQ(flow().run({.mode = Mode::threads, .workers = 2}), Opaque{45});
    for (Mode m : {Mode::processes, Mode::shm}) {
        try {
            flow().run({.mode = m, .workers = 2});
            ADD_FAILURE() << "expected a UsageError";
        } catch (const UsageError& e) {
            EXPECT_NE(std::string(e.what()).find("PARAPIPE_FIELDS"), std::string::npos) << e.what();
        }
    }
}

// Property: random text, random chunk sizes: lines and words are the same in every mode as in seq.
TEST(FlowProperty, RandomInputsGiveSeqsAnswerInEveryMode) {
    std::mt19937 rng(20261130);
    const char alphabet[] = "ab \n\r\t,.\"Zü日\xff";
    const int rounds = testing::test_small() ? 3 : 8;
    for (int round = 0; round < rounds; ++round) {
        TempDir dir;
        std::vector<std::string> paths;
        for (int f = 0; f < 3; ++f) {
            std::string text;
            const std::size_t len = rng() % 2000;
            for (std::size_t i = 0; i < len; ++i) text += alphabet[rng() % (sizeof alphabet - 1)];
            paths.push_back(dir.write("in/f" + std::to_string(f) + ".txt", text));
        }
        const std::size_t chunk = 1 + rng() % 700;
        SCOPED_TRACE("round " + std::to_string(round) + " chunk " + std::to_string(chunk));
        auto line_counts = [&] {
            return lines(paths, chunk).map([](const Line& l) { return std::string(l.text); }).count_by_key();
        };
        auto word_counts = [&] { return text_files(paths, chunk).flat_map(ops::words).count_by_key(); };
        auto word_files = [&] {
            return files(paths, chunk)
                .flat_map([](const FileItem& f) {
                    std::set<std::pair<std::string, std::string>> out;
                    ops::words(f.data, [&](std::string_view w) { out.emplace(std::string(w), std::string(f.path)); });
                    return out;
                })
                .group_by_key();
        };
        expect_everywhere(line_counts, line_counts().run({}));
        expect_everywhere(word_counts, word_counts().run({}));
        expect_everywhere(word_files, word_files().run({}));
    }
}

}  // namespace
}  // namespace parapipe
