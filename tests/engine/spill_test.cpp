// engine/spill/ and RunOptions::memory_limit: keyed reductions over many distinct keys with a
// tiny limit spill every few chunks, in every mode and at several chunk sizes, and give exactly
// the result of seq without a limit; the spill folder is gone afterwards, also after an error.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <parapipe/parapipe.hpp>
#include <parapipe/engine/spill/folder.hpp>
#include <parapipe/engine/spill/merge.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

struct Span {
    std::int64_t count = 0, min = 0, max = 0;
    PARAPIPE_FIELDS(count, min, max)
    friend bool operator==(const Span&, const Span&) = default;
};

std::string key_of(std::uint64_t i) { return "key-" + std::to_string((i * 7919) % 6007); }

// 6007 distinct keys, each seen a few times, spread over every chunk.
auto items(std::uint64_t per_chunk) {
    return generate(20000, [](std::uint64_t i) { return i; }, per_chunk);
}

bool empty_dir(const fs::path& p) { return fs::is_empty(p); }

RunOptions limited(const testing::ModeCase& mc, const TempDir& tmp, RunStats* stats) {
    RunOptions o{.mode = mc.mode, .workers = mc.workers};
    o.memory_limit = 64 << 10;  // a few KiB per holder: a spill after almost every chunk
    o.spill_parent = tmp.path().string();
    o.stats = stats;
    return o;
}

TEST(Spill, KeyedReductionsGiveTheUnlimitedSeqResult) {
    // Many small chunks (a spill after almost each), some, one. Under the sanitizers the many are
    // fewer: 61 chunks instead of 207.
    const std::uint64_t many = testing::test_small() ? 331 : 97;
    for (std::uint64_t per_chunk : {many, std::uint64_t{1000}, std::uint64_t{20000}}) {
        SCOPED_TRACE("per_chunk " + std::to_string(per_chunk));
        auto counts = [&] { return items(per_chunk).map(key_of).count_by_key(); };
        auto frequent = [&] { return items(per_chunk).map(key_of).count_by_key(Identity{}, most_frequent(100)); };
        auto spans = [&] {
            return items(per_chunk).reduce_by_key(key_of, [](std::uint64_t i) { return Span{1, std::int64_t(i), std::int64_t(i)}; },
                                                  [](Span a, Span b) {
                                                      return Span{a.count + b.count, std::min(a.min, b.min), std::max(a.max, b.max)};
                                                  });
        };
        auto groups = [&] {
            return items(per_chunk).map([](std::uint64_t i) { return std::pair(key_of(i), i % 13); }).group_by_key();
        };
        const auto want_counts = counts().run({});
        const auto want_frequent = frequent().run({});
        const auto want_spans = spans().run({});
        const auto want_groups = groups().run({});
        ASSERT_EQ(want_counts.size(), 6007u);
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name());
            TempDir tmp;
            RunStats stats;
            const RunOptions o = limited(mc, tmp, &stats);
            EXPECT_EQ(counts().run(o), testing::expected_here(mc, want_counts));
            EXPECT_EQ(frequent().run(o), testing::expected_here(mc, want_frequent));
            EXPECT_EQ(spans().run(o), testing::expected_here(mc, want_spans));
            EXPECT_EQ(groups().run(o), testing::expected_here(mc, want_groups));
            if (testing::output_here(mc)) {
                EXPECT_GT(stats.spilled_runs.load(), 0u) << "the limit made nothing spill";
                // Under mpirun the ranks share tmp: the others let go of their folders before
                // rank 0's run returns.
                EXPECT_TRUE(empty_dir(tmp.path())) << "the spill folder is left behind";
            }
        }
    }
}

// Keys other than strings (an absl::flat_hash_map partial) spill the same way.
TEST(Spill, OtherKeysSpillToo) {
    auto counts = [] { return items(97).map([](std::uint64_t i) { return (i * 7919) % 6007; }).count_by_key(); };
    auto pairs = [] {
        return items(211).map([](std::uint64_t i) { return std::pair(std::int64_t(i % 3001) - 1500, i % 7); }).group_by_key();
    };
    const auto want_counts = counts().run({});
    const auto want_pairs = pairs().run({});
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        TempDir tmp;
        RunStats stats;
        RunOptions o = limited(mc, tmp, &stats);
        o.memory_limit = 16 << 10;
        EXPECT_EQ(counts().run(o), testing::expected_here(mc, want_counts));
        EXPECT_EQ(pairs().run(o), testing::expected_here(mc, want_pairs));
        if (testing::output_here(mc)) {
            EXPECT_GT(stats.spilled_runs.load(), 0u) << "the limit made nothing spill";
            EXPECT_TRUE(empty_dir(tmp.path()));
        }
    }
}

TEST(Spill, NothingSpillsUnderALargeLimit) {
    TempDir tmp;
    RunStats stats;
    RunOptions o{.mode = Mode::threads, .workers = 2};
    o.memory_limit = std::size_t{1} << 30;
    o.spill_parent = tmp.path().string();
    o.stats = &stats;
    EXPECT_EQ(items(97).map(key_of).count_by_key().run(o), items(97).map(key_of).count_by_key().run({}));
    EXPECT_EQ(stats.spilled_runs.load(), 0u);
    EXPECT_TRUE(empty_dir(tmp.path()));
    // The folder is made by the first spill: a run that spills nothing needs no writable folder.
    o.spill_parent = (tmp.path() / "missing").string();
    EXPECT_EQ(items(97).map(key_of).count_by_key().run(o).size(), 6007u);
    o.memory_limit = 64 << 10;
    try {
        items(97).map(key_of).count_by_key().run(o);
        ADD_FAILURE() << "spilling into a missing folder did not fail";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot create temporary folder " + o.spill_parent + "/parapipe-spill-"),
                  std::string::npos)
            << e.what();
    }
}

TEST(Spill, AnErrorAfterSpillsLeavesNoFolder) {
    for (const auto& mc : testing::all_mode_cases()) {
        if (mc.mode == Mode::mpi) continue;
        SCOPED_TRACE(mc.name());
        TempDir tmp;
        RunOptions o = limited(mc, tmp, nullptr);
        o.max_attempts = 1;
        auto flow = items(97).map([](std::uint64_t i) {
            if (i == 19000) throw std::runtime_error("bad item");
            return key_of(i);
        });
        EXPECT_THROW(flow.count_by_key().run(o), Error);
        EXPECT_TRUE(empty_dir(tmp.path()));
    }
}

TEST(Spill, ACancelledRunLeavesNoFolder) {
    for (Mode m : {Mode::seq, Mode::threads}) {
        TempDir tmp;
        std::atomic<int> cancel{0};
        RunOptions o = limited({m, 2}, tmp, nullptr);
        o.cancel = &cancel;
        auto flow = items(97).map([&](std::uint64_t i) {
            if (i == 15000) cancel.store(SIGINT);
            return key_of(i);
        });
        EXPECT_THROW(flow.count_by_key().run(o), Interrupted);
        EXPECT_TRUE(empty_dir(tmp.path()));
    }
}

TEST(Spill, TheFolderOfADeadRunIsRemovedByTheNext) {
    TempDir tmp;
    // A pid that is not running: the largest a pid can be, plus one.
    const fs::path stale = tmp.path() / "parapipe-spill-4194305-abcdef";
    fs::create_directories(stale);
    std::ofstream(stale / "run-4194305-0") << "x";
    EXPECT_EQ(SpillFolder::remove_stale(tmp.path().string()), 1);
    EXPECT_TRUE(empty_dir(tmp.path()));
}

TEST(Spill, MergeCombinesEqualKeysAcrossManyRuns) {
    TempDir tmp;
    std::map<std::string, std::uint64_t> want;
    {
        SpillFolder folder(tmp.path().string());
        // More runs than the merge opens at once: it merges in passes.
        for (int r = 0; r < int(spill::fan_in) * 2 + 3; ++r) {
            spill::RunWriter w(folder);
            std::map<std::string, std::uint64_t> run;  // written sorted, as a spill writes
            for (int k = 0; k < 50; ++k) {
                std::string key = "w";  // appended: GCC 12 warns falsely on "w" + std::to_string (-Wrestrict)
                key += std::to_string(1000 + (k * 7 + r) % 200);
                run[key] += 1;
            }
            for (const auto& [k, v] : run) {
                w.add(0, k, v);
                want[k] += v;
            }
            w.close();
        }
        std::map<std::string, std::uint64_t> got;
        std::string last;
        spill::merge_keyed<std::uint64_t>(folder, folder.runs(), [](std::uint64_t& a, std::uint64_t b) { a += b; },
                                          [&](std::uint8_t, std::string_view k, std::uint64_t&& v) {
                                              EXPECT_LT(last, std::string(k));
                                              last = k;
                                              got[std::string(k)] = v;
                                          });
        EXPECT_EQ(got, want);
        EXPECT_TRUE(folder.runs().empty());
    }
    EXPECT_TRUE(empty_dir(tmp.path()));
}

}  // namespace
}  // namespace parapipe
