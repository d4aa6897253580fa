// cli/ — exit codes, output formats and atomic output of the parapipe command.
#include <gtest/gtest.h>

#include <fstream>
#include <signal.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::wait_until;

namespace fs = std::filesystem;
using testing::run_parapipe;
using testing::TempDir;

TEST(Cli, ListShowsThePipelines) {
    auto r = run_parapipe({"list"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("wordcount"), std::string::npos);
}

TEST(Cli, VersionAndHelp) {
    EXPECT_EQ(run_parapipe({"--version"}).code, 0);
    auto h = run_parapipe({"run", "wordcount", "--help"});
    EXPECT_EQ(h.code, 0);
    EXPECT_NE(h.out.find("--chunk-size"), std::string::npos);
}

TEST(Cli, CountsStdinAndFilesAlike) {
    TempDir dir;
    const std::string text = "The cat and the hat. THE END\n";
    auto file = dir.write("t.txt", text);
    auto a = run_parapipe({"run", "wordcount"}, text);
    auto b = run_parapipe({"run", "wordcount", "-"}, text);
    auto c = run_parapipe({"run", "wordcount", file, "--mode", "shm", "--workers", "2"});
    EXPECT_EQ(a.code, 0);
    EXPECT_EQ(a.out, "the\t3\nand\t1\ncat\t1\nend\t1\nhat\t1\n");
    EXPECT_EQ(b.out, a.out);
    EXPECT_EQ(c.out, a.out);
}

TEST(Cli, FormatsAndTop) {
    TempDir dir;
    auto file = dir.write("t.txt", "b a b c, \"q\"");
    EXPECT_EQ(run_parapipe({"run", "wordcount", file, "--top", "1"}).out, "b\t2\n");
    EXPECT_EQ(run_parapipe({"run", "wordcount", file, "--format", "csv"}).out, "word,count\nb,2\na,1\nc,1\nq,1\n");
    auto j = nlohmann::json::parse(run_parapipe({"run", "wordcount", file, "--format", "json"}).out);
    EXPECT_EQ(j["total_words"], 5);
    EXPECT_EQ(j["unique_words"], 4);
    EXPECT_EQ(j["words"][0]["word"], "b");
}

TEST(Cli, BadArgumentsExitTwoWithOneLine) {
    TempDir dir;
    auto file = dir.write("t.txt", "x");
    const std::vector<std::vector<std::string>> cases = {
        {"run", "nosuchpipeline"},
        {"run", "wordcount", file, "--mode", "fibers"},
        {"run", "wordcount", file, "--workers", "0"},
        {"run", "wordcount", file, "--chunk-size", "0"},
        {"run", "wordcount", file, "--chunk-size", "lots"},
        {"run", "wordcount", file, "--format", "xml"},
        {"run", "wordcount", "/nonexistent/input.txt"},
        {"run", "wordcount", file, "--output", "/nonexistent/dir/out.tsv"},
        {"run", "wordcount", file, "--progress", "sometimes"},
    };
    for (const auto& args : cases) {
        auto r = run_parapipe(args);
        std::string joined;
        for (const auto& a : args) joined += a + " ";
        EXPECT_EQ(r.code, 2) << joined << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << joined << r.err;
        EXPECT_TRUE(r.out.empty()) << joined;
    }
}

// Unreadable files and folders: tests/hardening/bad_inputs_test.cpp (drops root privileges).

TEST(Cli, OutputIsWrittenAtomically) {
    TempDir dir;
    auto file = dir.write("t.txt", "one two two");
    auto out = (dir.path() / "out.json").string();
    auto r = run_parapipe({"run", "wordcount", file, "--format", "json", "--output", out, "--stats"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find("MB/s"), std::string::npos);
    EXPECT_EQ(nlohmann::json::parse(testing::read_file(out))["total_words"], 3);
    // A failing run leaves the previous output untouched and no temporary file.
    auto bad = run_parapipe({"run", "wordcount", "/nonexistent", "--output", out});
    EXPECT_EQ(bad.code, 2);
    EXPECT_EQ(nlohmann::json::parse(testing::read_file(out))["total_words"], 3);
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 2);  // t.txt and out.json
}

// SIGTERM / SIGINT to the coordinator: exit 143 / 130, no segment, no output file, no worker left.

// Threads of process `pid` (0 once it is gone).
int thread_count(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    return 0;
}

// Also in a run of 9 MiB, which parapipe starts again with its malloc tuned, signals blocked
// across the exec (cli/malloc_tuning.hpp): the restarted process must let them in again.
TEST(Cli, SignalsStopTheRunCleanly) {
    const char* bin = std::getenv("PARAPIPE_BIN");
    ASSERT_NE(bin, nullptr);
    for (std::size_t size : {std::size_t{3} << 20, std::size_t{9} << 20}) {
        TempDir dir;
        std::string text;
        while (text.size() < size) text += "signal test words for a long run ";
        auto file = dir.write("big.txt", text);
        for (auto [sig, code] : {std::pair{SIGTERM, 143}, std::pair{SIGINT, 130}}) {
            for (const char* mode : {"processes", "shm", "threads"}) {
                auto out = (dir.path() / "out.tsv").string();
                pid_t pid = ::fork();
                if (pid == 0) {
                    int devnull = ::open("/dev/null", O_WRONLY);
                    ::dup2(devnull, 2);
                    // chunk size 1: hundreds of thousands of chunks, a run of many seconds
                    ::execl(bin, bin, "run", "wordcount", file.c_str(), "--mode", mode, "--workers", "2",
                            "--chunk-size", "1", "--output", out.c_str(), static_cast<char*>(nullptr));
                    ::_exit(127);
                }
                // Signal only once the run is under way (its handlers are installed first thing in
                // main): its workers exist, or, in threads mode, its TBB threads do.
                const bool threads = std::string(mode) == "threads";
                ASSERT_TRUE(wait_until([&] { return threads ? thread_count(pid) > 1 : !testing::children_of(pid).empty(); }))
                    << mode << ": the run never started";
                ::kill(pid, sig);
                int status = 0;
                ::waitpid(pid, &status, 0);
                ASSERT_TRUE(WIFEXITED(status)) << mode;
                EXPECT_EQ(WEXITSTATUS(status), code) << mode;
                EXPECT_FALSE(fs::exists(out)) << mode;
                int files = 0;
                for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
                EXPECT_EQ(files, 1) << mode;  // only big.txt
                EXPECT_EQ(testing::count_shm_segments(pid), 0) << mode;
                EXPECT_EQ(testing::count_children(), 0) << mode;
            }
        }
    }
}

// A worker SIGSTOPped on a chunk (the test hook stops the first worker to start chunk 3, so it is
// known to be on it) does not hold the run with default settings: an idle worker backs the chunk
// up, the output equals seq's, and --stats counts the backup.
TEST(Cli, StoppedWorkerIsBackedUpWithDefaultSettings) {
    TempDir dir;
    std::string text;
    for (int i = 0; text.size() < (256u << 10); ++i) text += "stopped worker word" + std::to_string(i % 97) + " ";
    auto file = dir.write("t.txt", text);
    auto seq = run_parapipe({"run", "wordcount", file, "--mode", "seq", "--chunk-size", "16KiB"});
    ASSERT_EQ(seq.code, 0);
    for (const char* mode : {"processes", "shm"}) {
        const std::string marker = (dir.path() / (std::string("stopped-") + mode)).string();
        ::setenv("PARAPIPE_TEST_STOP_CHUNK", ("3:" + marker).c_str(), 1);
        auto r = run_parapipe({"run", "wordcount", file, "--mode", mode, "--workers", "2", "--chunk-size", "16KiB",
                               "--stats"});
        ::unsetenv("PARAPIPE_TEST_STOP_CHUNK");
        EXPECT_TRUE(fs::exists(marker)) << mode << ": the hook never stopped a worker";
        EXPECT_EQ(r.code, 0) << mode << r.err;
        EXPECT_EQ(r.out, seq.out) << mode;
        EXPECT_TRUE(std::regex_search(r.err, std::regex("backups [1-9][0-9]*  timeouts 0"))) << mode << r.err;
        EXPECT_EQ(testing::count_children(), 0) << mode;
    }
}

// SIGKILL of the coordinator: its workers exit, and the next run removes the segment it left
// behind.
TEST(Cli, WorkersDieWithTheirCoordinatorAndTheNextRunCleansUp) {
    TempDir dir;
    std::string text;
    while (text.size() < (3u << 20)) text += "orphaned worker test words ";
    auto file = dir.write("big.txt", text);
    const char* bin = std::getenv("PARAPIPE_BIN");
    ASSERT_NE(bin, nullptr);
    for (const char* mode : {"shm", "processes"}) {
        pid_t pid = ::fork();
        if (pid == 0) {
            int devnull = ::open("/dev/null", O_WRONLY);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            ::execl(bin, bin, "run", "wordcount", file.c_str(), "--mode", mode, "--workers", "2", "--chunk-size", "1",
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        std::vector<int> workers;
        ASSERT_TRUE(wait_until([&] { return (workers = testing::children_of(pid)).size() == 2; })) << mode;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        auto alive = [&] {
            int n = 0;
            for (int w : workers) n += fs::exists("/proc/" + std::to_string(w) + "/stat") &&
                                       testing::read_file("/proc/" + std::to_string(w) + "/stat").find(") Z") ==
                                           std::string::npos;
            return n;
        };
        EXPECT_TRUE(wait_until([&] { return alive() == 0; })) << mode << ": workers outlived their coordinator";
        if (std::string(mode) == "shm") {
            // The killed run's segment is left behind; any shm run on the machine removes it, so it
            // may be gone already (ctest runs other tests meanwhile). After our next run it must be.
            // Faults.StaleSegmentsOfDeadRunsAreRemoved tests the removal itself.
            EXPECT_LE(testing::count_shm_segments(pid), 1);
            auto next = run_parapipe({"run", "wordcount", file, "--mode", "shm", "--workers", "1"});
            EXPECT_EQ(next.code, 0);
            EXPECT_EQ(testing::count_shm_segments(pid), 0) << "the next run should remove it";
        }
    }
}

// --memory-limit: ~300,000 distinct words pass a 16MiB limit in every mode; the spilled run gives
// the bytes of an unlimited seq run in each format, and leaves nothing in $TMPDIR.
TEST(Cli, MemoryLimitSpillsAndGivesTheSameBytes) {
    TempDir tmp, spill;
    std::string text;
    for (std::uint64_t i = 0; i < 300000; ++i) {
        std::string w;
        for (std::uint64_t v = i * 2654435761u % 1000003; w.size() < 5 || v > 0; v /= 26) w += char('a' + v % 26);
        for (std::uint64_t r = 0; r <= i % 3; ++r) text += w + (i % 8 ? " " : "\n");
    }
    const std::string file = tmp.write("words.txt", text);
    const std::string was = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "";
    ::setenv("TMPDIR", spill.path().c_str(), 1);
    std::string want_tsv;
    for (const std::string fmt : {"tsv", "json"}) {
        auto want = run_parapipe({"run", "wordcount", file, "-m", "seq", "--memory-limit", "0", "-f", fmt});
        ASSERT_EQ(want.code, 0) << want.err;
        if (fmt == "tsv") want_tsv = want.out;
        for (const std::string mode : {"seq", "threads", "processes", "shm"}) {
            // The output is formatted after the merge, the same way in every mode: under the
            // sanitizers JSON is checked in one mode.
            if (testing::test_small() && fmt == "json" && mode != "processes") continue;
            SCOPED_TRACE(mode + " " + fmt);
            const std::string out = (tmp.path() / ("out-" + mode + "." + fmt)).string();
            auto r = run_parapipe({"run", "wordcount", file, "-m", mode, "-j", "2", "--memory-limit", "16MiB", "-f", fmt,
                                   "-o", out, "--stats"});
            ASSERT_EQ(r.code, 0) << r.err;
            EXPECT_TRUE(std::regex_search(r.err, std::regex("spilled_runs [1-9]"))) << r.err;
            std::ifstream in(out, std::ios::binary);
            std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            EXPECT_TRUE(got == want.out) << "output differs from seq without a limit";
            EXPECT_TRUE(fs::is_empty(spill.path())) << "the spill folder is left behind";
        }
    }
    // A stream is read in windows: they spill into one folder, merged once at the end (under the
    // sanitizers in shm, the mode with the most to clean up).
    for (const std::string mode : {"seq", "shm"}) {
        if (testing::test_small() && mode == "seq") continue;
        auto r = run_parapipe({"run", "wordcount", "-", "-m", mode, "-j", "2", "--memory-limit", "16MiB", "--stats"}, text);
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_TRUE(std::regex_search(r.err, std::regex("spilled_runs [1-9]"))) << mode << r.err;
        EXPECT_TRUE(r.out == want_tsv) << mode << ": stdin output differs";
        EXPECT_TRUE(fs::is_empty(spill.path()));
    }
    auto top = run_parapipe({"run", "wordcount", file, "--memory-limit", "16MiB", "-k", "5"});
    EXPECT_EQ(top.out, run_parapipe({"run", "wordcount", file, "--memory-limit", "0", "-k", "5"}).out);
    if (was.empty()) ::unsetenv("TMPDIR");
    else ::setenv("TMPDIR", was.c_str(), 1);
}

TEST(Cli, MemoryLimitTooSmallIsAUsageError) {
    TempDir tmp;
    const std::string file = tmp.write("a.txt", "a b c\n");
    const std::string out = (tmp.path() / "out.tsv").string();
    auto r = run_parapipe({"run", "wordcount", file, "--memory-limit", "1MiB", "-o", out});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--memory-limit 1MiB is too small"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out));
}

// A full temporary folder, for real: the run's files may not grow past 1 MiB (RLIMIT_FSIZE, with
// SIGXFSZ ignored, both inherited by parapipe and its workers), so the first spilled run fails
// with EFBIG. One line naming the folder, exit 1, no output file, no spill folder left.
TEST(Cli, AFullTemporaryFolderIsOneLineAndLeavesNothing) {
    TempDir tmp, spill;
    std::string text;
    for (std::uint64_t i = 0; i < 300000; ++i) {
        std::string w;
        for (std::uint64_t v = i; w.size() < 5 || v > 0; v /= 26) w += char('a' + v % 26);
        text += w + ' ';
    }
    const std::string file = tmp.write("words.txt", text);
    const std::string was = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "";
    ::setenv("TMPDIR", spill.path().c_str(), 1);
    // Not shm: its segment in /dev/shm is a file too, and could not be created under the limit.
    for (const std::string mode : {"seq", "threads", "processes"}) {
        SCOPED_TRACE(mode);
        const std::string out = (tmp.path() / "out.tsv").string();
        rlimit old{};
        ::getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 1 << 20;
        ::setrlimit(RLIMIT_FSIZE, &small);
        auto* previous = ::signal(SIGXFSZ, SIG_IGN);
        auto r = run_parapipe({"run", "wordcount", file, "-m", mode, "-j", "2", "--memory-limit", "16MiB", "-o", out});
        ::signal(SIGXFSZ, previous);
        ::setrlimit(RLIMIT_FSIZE, &old);
        EXPECT_EQ(r.code, 1) << r.err;
        EXPECT_NE(r.err.find("temporary folder " + spill.path().string() + "/parapipe-spill-"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("is full while spilling (File too large)"), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_FALSE(fs::exists(out));
        EXPECT_TRUE(fs::is_empty(spill.path())) << "the spill folder is left behind";
    }
    if (was.empty()) ::unsetenv("TMPDIR");
    else ::setenv("TMPDIR", was.c_str(), 1);
}

}  // namespace
}  // namespace parapipe
