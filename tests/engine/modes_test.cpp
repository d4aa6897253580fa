// engine/run.hpp — a user-defined pipeline gives seq's answer in every mode; modes can follow
// each other in one process; repeated runs leave descriptors, segments and children flat.
#include <gtest/gtest.h>

#include <array>

#include <parapipe/parapipe.hpp>

#include "cli/wordcount_format.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::TempDir;

std::string corpus(std::size_t words) {
    std::string s;
    const char* vocab[] = {"Parallel", "pipelines", "Übermäßig", "short", "extraordinarily", "MapReduce",
                           "Словарь", "a", "processes", "threads", "segment", "日本語", "9"};
    for (std::size_t i = 0; i < words; ++i) s += std::string(vocab[(i * 31 + i / 7) % 13]) + (i % 11 ? " " : ".\n");
    return s;
}

// Words longer than seven code points, counted (the example's pipeline).
auto long_words(const std::string& path, std::size_t chunk) {
    return text_files({path}, chunk)
        .flat_map(ops::words)
        .filter([](std::string_view w) {
            std::size_t cps = 0;
            for (unsigned char c : w) cps += (c & 0xC0) != 0x80;
            return cps > 7;
        })
        .count_by_key();
}

// A reducer with a partial of its own: histogram of word lengths in bytes.
struct LengthHistogram {
    using partial_type = std::array<std::uint64_t, 32>;
    partial_type init() const { return {}; }
    void fold(partial_type& h, std::string_view w) const { ++h[std::min<std::size_t>(w.size(), 31)]; }
    void merge(partial_type& a, partial_type&& b) const {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    }
    partial_type finalize(partial_type&& h) const { return h; }
};

TEST(Modes, UserPipelineMatchesSeqEverywhere) {
    TempDir dir;
    auto path = dir.write("c.txt", corpus(20000));
    for (std::size_t chunk : {std::size_t{97}, std::size_t{4096}, std::size_t{1} << 20}) {
        const auto expected = long_words(path, chunk).run({.mode = Mode::seq});
        ASSERT_FALSE(expected.empty());
        const auto expected_hist =
            text_files({path}, chunk).flat_map(ops::words).reduce(LengthHistogram{}).run({.mode = Mode::seq});
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            EXPECT_EQ(long_words(path, chunk).run({.mode = mc.mode, .workers = mc.workers}), expected);
            EXPECT_EQ(text_files({path}, chunk)
                          .flat_map(ops::words)
                          .reduce(LengthHistogram{})
                          .run({.mode = mc.mode, .workers = mc.workers}),
                      expected_hist);
        }
    }
}

TEST(Modes, ShmHandlesARegionTooSmallForAPartial) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 30000; ++i) {  // all distinct: big partials
        text += 'w';
        text += std::to_string(i);
        text += ' ';
    }
    auto path = dir.write("u.txt", text);
    auto plan = wordcount::make_plan(wordcount::open({path}, 16 << 10));
    auto expected = wordcount::format(run(plan, {.mode = Mode::seq}), wordcount::Format::tsv);
    for (unsigned w : {1u, 2u, 4u}) {
        RunOptions opt{.mode = Mode::shm, .workers = w};
        opt.shm_region_bytes = 4096;  // far too small: the partials come down the pipes
        EXPECT_EQ(wordcount::format(run(plan, opt), wordcount::Format::tsv), expected) << w;
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// One word of several MiB (issue 13.5) among ordinary ones: the same output in every mode and
// at every chunk size, also when the shm partials are too big for their regions and come down
// the pipes, the huge key going from the worker's table to the pipe and into the coordinator's
// table without being buffered (engine/detail/pipe_message.hpp).
TEST(Modes, AWordOfSeveralMiBGivesSeqsAnswerEverywhere) {
    TempDir dir;
    std::string text = corpus(3000);
    text += ' ' + std::string(std::size_t{3} << 20, 'q') + ' ';
    text += corpus(3000);
    text += ' ' + std::string((std::size_t{1} << 20) + 1, 'r') + '\n';
    auto path = dir.write("huge.txt", text);
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{1} << 20, std::size_t{16} << 20}) {
        auto plan = wordcount::make_plan(wordcount::open({path}, chunk));
        const auto expected = wordcount::format(run(plan, {.mode = Mode::seq}), wordcount::Format::tsv);
        ASSERT_NE(expected.find(std::string(std::size_t{3} << 20, 'q') + "\t1\n"), std::string::npos);
        for (const auto& mc : testing::all_mode_cases()) {
            if (!testing::output_here(mc)) continue;
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            EXPECT_EQ(wordcount::format(run(plan, {.mode = mc.mode, .workers = mc.workers}), wordcount::Format::tsv),
                      expected);
        }
        for (unsigned w : {1u, 2u}) {
            RunOptions opt{.mode = Mode::shm, .workers = w};
            opt.shm_region_bytes = 4096;  // every partial comes down a pipe
            EXPECT_EQ(wordcount::format(run(plan, opt), wordcount::Format::tsv), expected) << w << " " << chunk;
        }
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

TEST(Modes, ThreadsThenProcessesThenShmThenThreadsInOneProcess) {
    TempDir dir;
    auto path = dir.write("c.txt", corpus(5000));
    auto plan = wordcount::make_plan(wordcount::open({path}, 2048));
    auto expected = wordcount::format(run(plan, {.mode = Mode::seq}), wordcount::Format::tsv);
    for (int round = 0; round < 2; ++round)
        for (Mode m : {Mode::threads, Mode::processes, Mode::shm, Mode::threads})
            EXPECT_EQ(wordcount::format(run(plan, {.mode = m, .workers = 2}), wordcount::Format::tsv), expected);
}

TEST(Modes, TwoHundredRunsLeaveNothingBehind) {
    TempDir dir;
    auto path = dir.write("c.txt", corpus(2000));
    auto plan = wordcount::make_plan(wordcount::open({path}, 4096));
    auto expected = run(plan, {.mode = Mode::seq}).words;
    run(plan, {.mode = Mode::threads, .workers = 2});  // TBB's one-time setup before the baseline
    const int fds = testing::count_open_fds();
    const int segments = testing::count_shm_segments();
    const Mode modes[] = {Mode::threads, Mode::processes, Mode::shm, Mode::seq};
    for (int i = 0; i < 200; ++i) {
        auto r = run(plan, {.mode = modes[i % 4], .workers = 1 + static_cast<unsigned>(i % 3)});
        ASSERT_EQ(r.words, expected) << i;
    }
    EXPECT_EQ(testing::count_open_fds(), fds);
    EXPECT_EQ(testing::count_shm_segments(), segments);
    EXPECT_EQ(testing::count_children(), 0);
}

TEST(Modes, ZeroWorkersIsAUsageError) {
    TempDir dir;
    auto plan = wordcount::make_plan(wordcount::open({dir.write("a.txt", "a")}, 64));
    EXPECT_THROW(run(plan, {.mode = Mode::threads, .workers = 0}), UsageError);
}

TEST(Modes, EmptyInputGivesAnEmptyResultEverywhere) {
    TempDir dir;
    auto plan = wordcount::make_plan(wordcount::open({dir.write("e.txt", "")}, 64));
    for (const auto& mc : testing::all_mode_cases()) {
        auto r = run(plan, {.mode = mc.mode, .workers = mc.workers});
        EXPECT_TRUE(r.words.empty()) << mc.name();
        EXPECT_EQ(r.total_words, 0u);
    }
}

}  // namespace
}  // namespace parapipe
