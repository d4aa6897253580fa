// engine/flow.hpp — every operation gives the same result in every mode, and that result is the
// one a plain loop gives; multi-stage pipelines; counters; property tests over random inputs and
// random chunk sizes. Keyed reductions: keyed_flow_test.cpp (a file of their own, so the two
// compile in parallel).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include <parapipe/parapipe.hpp>

#include "tests/engine/flow_test_support.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::expect_everywhere;
using testing::numbers;
using testing::TempDir;

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
