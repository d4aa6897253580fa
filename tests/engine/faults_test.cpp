// Faults in the process modes: dying workers are replaced and their chunks retried exactly once
// per result; a chunk that kills every attempt fails the run by name; operator exceptions reach
// the caller in every mode; cancellation stops the run; nothing is left behind.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>

#include <parapipe/parapipe.hpp>
#include <parapipe/pipelines/wordcount.hpp>
#include <parapipe/shm/segment.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

// No worker process and no shared segment outlives a run, whatever happened in it.
void expect_nothing_left(std::string_view where) {
    EXPECT_EQ(testing::count_children(), 0) << where;
    EXPECT_EQ(testing::count_shm_segments(), 0) << where;
}

namespace fs = std::filesystem;
using testing::TempDir;

enum class Death { none, sigkill, abort, segfault, stop };

void die(Death how) {
    switch (how) {
        case Death::sigkill: ::raise(SIGKILL); break;
        case Death::abort: ::signal(SIGABRT, SIG_DFL), std::abort(); break;
        case Death::segfault: ::signal(SIGSEGV, SIG_DFL), ::raise(SIGSEGV); break;
        case Death::stop: ::raise(SIGSTOP); break;  // stuck: only a kill ends it
        case Death::none: break;
    }
}

// Counts how often each chunk reached the result: every entry must be exactly 1.
// Chunk `victim` kills its worker on the first `deaths` attempts (marker files count attempts
// across processes).
Plan<std::vector<std::uint64_t>, std::vector<std::uint64_t>> tally_plan(std::size_t chunks, std::size_t victim,
                                                                        int deaths, Death how, fs::path markers) {
    Plan<std::vector<std::uint64_t>, std::vector<std::uint64_t>> plan;
    plan.chunk_count = chunks;
    plan.init = [chunks] { return std::vector<std::uint64_t>(chunks, 0); };
    plan.map = [=](std::size_t c, std::vector<std::uint64_t>& p) {
        if (c == victim) {
            int attempt = 0;
            while (fs::exists(markers / std::to_string(attempt))) ++attempt;
            std::ofstream(markers / std::to_string(attempt)) << "x";
            if (attempt < deaths) die(how);
        }
        ++p[c];
    };
    plan.merge = [](std::vector<std::uint64_t>& a, std::vector<std::uint64_t>&& b) {
        for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    };
    plan.finalize = [](std::vector<std::uint64_t>&& p) { return p; };
    plan.describe_chunk = [](std::size_t c) { return "input.txt bytes [" + std::to_string(c * 100) + ", " +
                                                     std::to_string(c * 100 + 100) + ")"; };
    return plan;
}

class WorkerDeath : public ::testing::TestWithParam<std::tuple<Mode, Death, unsigned>> {};

TEST_P(WorkerDeath, ChunkIsRetriedAndCountedOnce) {
    auto [mode, how, workers] = GetParam();
    TempDir dir;
    const std::size_t chunks = 40;
    auto plan = tally_plan(chunks, 17, 2, how, dir.path());
    auto r = run(plan, {.mode = mode, .workers = workers, .max_attempts = 3});
    EXPECT_EQ(r, std::vector<std::uint64_t>(chunks, 1));
    expect_nothing_left({});
}

INSTANTIATE_TEST_SUITE_P(Faults, WorkerDeath,
                         ::testing::Combine(::testing::Values(Mode::processes, Mode::shm),
                                            ::testing::Values(Death::sigkill, Death::abort, Death::segfault),
                                            ::testing::Values(1u, 2u, 4u)));

TEST(Faults, ChunkThatKillsEveryAttemptFailsTheRunByName) {
    for (Mode mode : {Mode::processes, Mode::shm}) {
        TempDir dir;
        auto plan = tally_plan(10, 4, 1000, Death::sigkill, dir.path());
        try {
            run(plan, {.mode = mode, .workers = 2, .max_attempts = 3});
            ADD_FAILURE() << "expected a ChunkError";
        } catch (const ChunkError& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find("input.txt bytes [400, 500)"), std::string::npos) << msg;
            EXPECT_NE(msg.find("3 attempts"), std::string::npos) << msg;
        }
        expect_nothing_left({});
    }
}

// A worker SIGSTOPped on a chunk (it stops itself, so it is known to be on it) does not hold
// the run: with default settings an idle worker backs the chunk up, and the first result wins.
TEST(Faults, StoppedWorkerIsBackedUpAndCountedOnce) {
    for (Mode mode : {Mode::processes, Mode::shm}) {
        TempDir dir;
        const std::size_t chunks = 40;
        auto plan = tally_plan(chunks, 17, 1, Death::stop, dir.path());
        RunStats stats;
        RunOptions opt{.mode = mode, .workers = 2};
        opt.stats = &stats;
        EXPECT_EQ(run(plan, opt), std::vector<std::uint64_t>(chunks, 1)) << to_string(mode);
        EXPECT_GE(stats.backups.load(), 1u) << to_string(mode);
        EXPECT_EQ(stats.timeouts.load(), 0u) << to_string(mode);
        expect_nothing_left(to_string(mode));
    }
}

// With one worker there is nobody to back up: the chunk timeout kills the stopped worker, and the
// chunk is retried as an attempt.
TEST(Faults, StoppedOnlyWorkerTimesOutAndTheChunkIsRetried) {
    for (Mode mode : {Mode::processes, Mode::shm}) {
        TempDir dir;
        const std::size_t chunks = 12;
        auto plan = tally_plan(chunks, 5, 1, Death::stop, dir.path());
        RunStats stats;
        RunOptions opt{.mode = mode, .workers = 1, .max_attempts = 2};
        opt.chunk_timeout = 0.5;
        opt.stats = &stats;
        EXPECT_EQ(run(plan, opt), std::vector<std::uint64_t>(chunks, 1)) << to_string(mode);
        EXPECT_EQ(stats.timeouts.load(), 1u) << to_string(mode);
        expect_nothing_left(to_string(mode));
    }
}

TEST(Faults, ChunkThatHangsOnEveryAttemptFailsTheRunByName) {
    for (Mode mode : {Mode::processes, Mode::shm}) {
        for (unsigned workers : {1u, 2u}) {
            TempDir dir;
            auto plan = tally_plan(10, 4, 1000, Death::stop, dir.path());
            RunStats stats;
            RunOptions opt{.mode = mode, .workers = workers, .max_attempts = 2};
            opt.chunk_timeout = 0.5;
            opt.stats = &stats;
            try {
                run(plan, opt);
                ADD_FAILURE() << "expected a ChunkError";
            } catch (const ChunkError& e) {
                std::string msg = e.what();
                EXPECT_NE(msg.find("input.txt bytes [400, 500)"), std::string::npos) << msg;
                EXPECT_NE(msg.find("timed out after 0.5 s"), std::string::npos) << msg;
                EXPECT_NE(msg.find("2 attempts"), std::string::npos) << msg;
            }
            EXPECT_GE(stats.timeouts.load(), 1u);
            expect_nothing_left({});
        }
    }
}

TEST(Faults, OperatorExceptionReachesTheCallerInEveryMode) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "fine words here poison ";
    auto path = dir.write("p.txt", text);
    for (const auto& mc : testing::all_mode_cases()) {
        auto pipeline = text_files({path}, 1024)
                            .flat_map(ops::words)
                            .map([](std::string_view w) {
                                if (w == "poison") throw std::runtime_error("operator refused 'poison'");
                                return w;
                            })
                            .count_by_key();
        try {
            pipeline.run({.mode = mc.mode, .workers = mc.workers});
            ADD_FAILURE() << mc.name() << ": expected an exception";
        } catch (const ChunkError& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find("operator refused 'poison'"), std::string::npos) << msg;
            EXPECT_NE(msg.find("p.txt bytes ["), std::string::npos) << msg;
        }
        expect_nothing_left(mc.name());
    }
}

TEST(Faults, CancellationStopsEveryModeAndCleansUp) {
    for (const auto& mc : testing::all_mode_cases()) {
        Plan<std::uint64_t, std::uint64_t> plan;
        plan.chunk_count = 100000;
        plan.map = [](std::size_t, std::uint64_t& p) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // work that takes a while, not a wait
            ++p;
        };
        plan.merge = [](std::uint64_t& a, std::uint64_t&& b) { a += b; };
        plan.finalize = [](std::uint64_t&& p) { return p; };
        std::atomic<int> cancel{0};
        std::atomic<std::uint64_t> done{0};
        // Cancel once the run is under way: some chunk has finished.
        std::thread stopper([&] {
            testing::wait_until([&] { return done.load() > 0; });
            cancel.store(SIGTERM);
        });
        RunOptions opt{.mode = mc.mode, .workers = mc.workers};
        opt.cancel = &cancel;
        opt.progress = &done;
        try {
            run(plan, opt);
            ADD_FAILURE() << mc.name() << ": expected Interrupted";
        } catch (const Interrupted& e) {
            EXPECT_EQ(e.signal(), SIGTERM);
        }
        stopper.join();
        expect_nothing_left(mc.name());
    }
}

TEST(Faults, ShmTooSmallIsAClearErrorBeforeWork) {
    TempDir dir;
    auto plan = wordcount::make_plan(wordcount::open({dir.write("a.txt", "a b c")}, 64));
    RunOptions opt{.mode = Mode::shm, .workers = 1};
    opt.shm_region_bytes = std::size_t{1} << 46;  // 64 TiB: no /dev/shm holds that
    try {
        run(plan, opt);
        ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/dev/shm"), std::string::npos) << e.what();
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// A partial too big for its region comes down the pipe: no chunk is run twice (each map call
// appends a byte to a log) and each is counted once.
TEST(Faults, ShmPartialTooBigForItsRegionRunsNoChunkTwice) {
    TempDir dir;
    const fs::path log = dir.path() / "calls";
    const std::size_t chunks = 3000;  // a partial of 24 KB against regions of 4 KiB
    auto plan = tally_plan(chunks, chunks, 0, Death::none, dir.path());
    auto map = plan.map;
    plan.map = [map, log](std::size_t c, std::vector<std::uint64_t>& p) {
        int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        [[maybe_unused]] ssize_t w = ::write(fd, "x", 1);
        ::close(fd);
        map(c, p);
    };
    for (unsigned workers : {1u, 2u}) {
        fs::remove(log);
        RunOptions opt{.mode = Mode::shm, .workers = workers};
        opt.shm_region_bytes = 4096;
        opt.backups = false;  // a backup would run chunks twice, legitimately
        EXPECT_EQ(run(plan, opt), std::vector<std::uint64_t>(chunks, 1)) << workers;
        EXPECT_EQ(fs::file_size(log), chunks) << workers;
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// A partial whose worker dies while it comes down the pipe (the reading thread meets the end
// of the pipe): the worker's chunks run again in a fresh worker and are counted once.
struct SendOnce {
    std::vector<std::uint64_t> counts;
};

}  // namespace

template <>
struct Serializer<SendOnce> {
    // The too-big path writes twice: once to count the bytes, then down the pipe. The first
    // worker to reach the second write dies after half of it (O_EXCL picks exactly one).
    static inline std::string marker;
    static inline int writes = 0;
    static void write(Writer& w, const SendOnce& t) {
        const bool dies = ++writes == 2 && ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) >= 0;
        w.pod<std::uint64_t>(t.counts.size());
        for (std::size_t i = 0; i < t.counts.size(); ++i) {
            if (dies && i == t.counts.size() / 2) ::raise(SIGKILL);
            w.pod<std::uint64_t>(t.counts[i]);
        }
    }
    static void read(Reader& r, SendOnce& t) {
        t.counts.resize(static_cast<std::size_t>(r.pod<std::uint64_t>()));
        for (auto& c : t.counts) c = r.pod<std::uint64_t>();
    }
};

// The shm codec of a test partial that wraps its vector of counts: the vector's own.
template <class T>
struct CountsShmCodec {
    using Inner = ShmCodec<std::vector<std::uint64_t>>;
    using stored = Inner::stored;
    static stored make(const shm::VoidAlloc& a) { return Inner::make(a); }
    static void store(const T& v, stored& s, const shm::VoidAlloc& a) { Inner::store(v.counts, s, a); }
    static void load(const stored& s, T& v) { Inner::load(s, v.counts); }
};

template <>
struct ShmCodec<SendOnce> : CountsShmCodec<SendOnce> {};

namespace {

TEST(Faults, ShmWorkerThatDiesSendingItsPartialIsReplaced) {
    TempDir dir;
    const std::size_t chunks = 3000;  // 24 KB against regions of 4 KiB: every partial is piped
    Plan<SendOnce, std::vector<std::uint64_t>> plan;
    plan.chunk_count = chunks;
    plan.init = [] { return SendOnce{std::vector<std::uint64_t>(chunks, 0)}; };
    plan.map = [](std::size_t c, SendOnce& p) { ++p.counts[c]; };
    plan.merge = [](SendOnce& a, SendOnce&& b) {
        for (std::size_t i = 0; i < chunks; ++i) a.counts[i] += b.counts[i];
    };
    plan.finalize = [](SendOnce&& p) { return std::move(p.counts); };
    for (unsigned workers : {1u, 2u}) {
        Serializer<SendOnce>::marker = (dir.path() / ("died-" + std::to_string(workers))).string();
        RunOptions opt{.mode = Mode::shm, .workers = workers};
        opt.shm_region_bytes = 4096;
        opt.backups = false;
        EXPECT_EQ(run(plan, opt), std::vector<std::uint64_t>(chunks, 1)) << workers;
        EXPECT_TRUE(fs::exists(Serializer<SendOnce>::marker)) << "no worker died sending: the test tests nothing";
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// A partial that says whether it went down the pipe: its serializer leaves a file behind.
struct PipeMarked {
    std::vector<std::uint64_t> counts;
};

}  // namespace

template <>
struct Serializer<PipeMarked> {
    static inline std::string marker;
    static void write(Writer& w, const PipeMarked& t) {
        std::ofstream(marker) << "piped";
        Serializer<std::vector<std::uint64_t>>::write(w, t.counts);
    }
    static void read(Reader& r, PipeMarked& t) { Serializer<std::vector<std::uint64_t>>::read(r, t.counts); }
};

template <>
struct ShmCodec<PipeMarked> : CountsShmCodec<PipeMarked> {};

namespace {

// A worker reserves its region's pages as its partial needs them, 1 MiB first, then twice as much:
// a 3.2 MB partial is stored in a 16 MiB region (after 1 and 2 MiB fell short), not piped; in a
// region of 2 MiB it is piped. Same result either way.
TEST(Faults, ShmPartialOverTheFirstReservationStaysInItsRegion) {
    TempDir dir;
    constexpr std::size_t entries = 400'000, chunks = 8;
    Plan<PipeMarked, std::vector<std::uint64_t>> plan;
    plan.chunk_count = chunks;
    plan.init = [] { return PipeMarked{std::vector<std::uint64_t>(entries, 0)}; };
    plan.map = [](std::size_t c, PipeMarked& p) { ++p.counts[c * (entries / chunks)]; };
    plan.merge = [](PipeMarked& a, PipeMarked&& b) {
        for (std::size_t i = 0; i < entries; ++i) a.counts[i] += b.counts[i];
    };
    plan.finalize = [](PipeMarked&& p) { return std::move(p.counts); };
    std::vector<std::uint64_t> expected(entries, 0);
    for (std::size_t c = 0; c < chunks; ++c) expected[c * (entries / chunks)] = 1;
    for (std::size_t region : {std::size_t{16} << 20, std::size_t{2} << 20}) {
        for (unsigned workers : {1u, 2u}) {
            Serializer<PipeMarked>::marker = (dir.path() / ("piped-" + std::to_string(region) + "-" +
                                                            std::to_string(workers))).string();
            RunOptions opt{.mode = Mode::shm, .workers = workers};
            opt.shm_region_bytes = region;
            EXPECT_EQ(run(plan, opt), expected) << region << " " << workers;
            EXPECT_EQ(fs::exists(Serializer<PipeMarked>::marker), region < entries * 8) << region << " " << workers;
        }
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// A segment made with only its first page reserved: the rest is reserved on demand, never past
// its end, and what is reserved can be written. (Workers reserve their regions this way from a
// forked child: the test above fails if they cannot, as the partial would then be piped.)
TEST(Faults, SegmentReservesTheRestOnDemand) {
    constexpr std::size_t MiB = std::size_t{1} << 20;
    {
        shm::Segment seg(4 * MiB, 4096);
        EXPECT_TRUE(seg.reserve(4096, MiB));
        EXPECT_TRUE(seg.reserve(0, 4 * MiB));  // again, and the rest
        EXPECT_TRUE(seg.reserve(4 * MiB, 0));
        EXPECT_FALSE(seg.reserve(4 * MiB - 4096, 8192));  // past the end
        EXPECT_FALSE(seg.reserve(8 * MiB, 1));
        std::memset(seg.base(), 7, 4 * MiB);
        EXPECT_EQ(seg.base()[4 * MiB - 1], 7);
    }
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

// Other users must not read a run's partials: its segments are 0600 even under umask 0.
TEST(Faults, SharedSegmentsArePrivateToTheUser) {
    TempDir dir;
    const fs::path go = dir.path() / "go";
    Plan<std::uint64_t, std::uint64_t> plan;
    plan.chunk_count = 4;
    plan.map = [go](std::size_t, std::uint64_t& p) {
        testing::wait_until([&] { return fs::exists(go); });  // holds the run until the test has looked
        ++p;
    };
    plan.merge = [](std::uint64_t& a, std::uint64_t&& b) { a += b; };
    plan.finalize = [](std::uint64_t&& p) { return p; };
    const mode_t old_umask = ::umask(0);
    std::uint64_t result = 0;
    std::thread runner([&] { result = run(plan, {.mode = Mode::shm, .workers = 2}); });
    const std::string mine = "parapipe-" + std::to_string(::getpid()) + "-";
    std::vector<fs::path> segments;
    EXPECT_TRUE(testing::wait_until([&] {
        segments.clear();
        for (const auto& e : fs::directory_iterator("/dev/shm"))
            if (e.path().filename().string().rfind(mine, 0) == 0) segments.push_back(e.path());
        return !segments.empty();
    }));
    for (const auto& p : segments) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0) {
            EXPECT_EQ(st.st_mode & 0777, 0600u) << p;
        }
    }
    std::ofstream(go) << "x";
    runner.join();
    ::umask(old_umask);
    EXPECT_EQ(result, 4u);
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

TEST(Faults, StaleSegmentsOfDeadRunsAreRemoved) {
    // A segment named after a pid that cannot exist stands for a coordinator killed by SIGKILL.
    std::string stale = "/dev/shm/parapipe-999999999-1";
    std::ofstream(stale) << "x";
    ASSERT_TRUE(fs::exists(stale));
    TempDir dir;
    auto plan = wordcount::make_plan(wordcount::open({dir.write("a.txt", "a b c")}, 64));
    run(plan, {.mode = Mode::shm, .workers = 1});
    EXPECT_FALSE(fs::exists(stale));
}

}  // namespace
}  // namespace parapipe
