// cli/ — defaults, option checks, error style and output handling of the parapipe command.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/malloc_tuning.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using testing::run_parapipe;
using testing::TempDir;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One line, "parapipe: ...", exit 2, nothing on stdout.
void expect_usage_error(const testing::Exec& r, const std::string& part) {
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("parapipe: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(has(r.err, part)) << r.err;
    EXPECT_FALSE(has(r.err, "Could not convert")) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(CliDefaults, ThreadsWithOneWorkerPerCoreAndStatsTellWhatRan) {
    TempDir dir;
    auto file = dir.write("t.txt", "a b b");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    auto r = run_parapipe({"run", "wordcount", file, "--stats"});
    EXPECT_TRUE(has(r.err, "mode threads  workers " + std::to_string(cores))) << r.err;
    EXPECT_TRUE(has(run_parapipe({"run", "wordcount", file, "-j", "1", "--stats"}).err, "workers 1  "));
    EXPECT_TRUE(has(run_parapipe({"run", "wordcount", file, "-m", "seq", "-j", "4", "--stats"}).err,
                    "mode seq  workers 1  "));
}

TEST(CliDefaults, UnknownCommandsAndPipelinesAreNamed) {
    expect_usage_error(run_parapipe({"frobnicate"}), "unknown command 'frobnicate'");
    expect_usage_error(run_parapipe({"run", "nope"}), "unknown pipeline 'nope'");
    expect_usage_error(run_parapipe({"run"}), "missing pipeline");
    expect_usage_error(run_parapipe({}), "missing command");
    EXPECT_EQ(run_parapipe({"bench", "--help"}).code, 0);
    EXPECT_EQ(run_parapipe({"bench", "exec", "--help"}).code, 0);
}

TEST(CliDefaults, RangesAndChoicesAreChecked) {
    TempDir dir;
    auto file = dir.write("t.txt", "x");
    expect_usage_error(run_parapipe({"run", "wordcount", file, "--top", "-1"}), "--top");
    expect_usage_error(run_parapipe({"run", "wordcount", file, "--workers", "-1"}), "--workers");
    expect_usage_error(run_parapipe({"run", "wordcount", file, "-j", "100000"}), "--workers");
    expect_usage_error(run_parapipe({"run", "wordcount", file, "--mode", "fibers"}), "seq, threads, processes, shm");
    expect_usage_error(run_parapipe({"run", "wordcount", file, "-q", "--stats"}), "--quiet");
}

TEST(CliDefaults, HelpListsChoicesAndNamesTheProgram) {
    auto h = run_parapipe({"run", "wordcount", "--help"});
    EXPECT_EQ(h.code, 0);
    for (const char* part : {"Usage: parapipe run wordcount", "{seq,threads,processes,shm,mpi}", "{auto,always,never}",
                             "{tsv,csv,json}", "-j,--workers", "--hidden", "-q,--quiet", "hidden entries skipped"})
        EXPECT_TRUE(has(h.out, part)) << part << "\n" << h.out;
    EXPECT_TRUE(has(run_parapipe({"run", "image", "--help"}).out, "{same,png,jpg,jpeg,webp}"));
}

TEST(CliDefaults, DashIsStandardOutputAndTheFormatFollowsTheExtension) {
    TempDir dir;
    auto file = dir.write("t.txt", "b a b");
    EXPECT_EQ(run_parapipe({"run", "wordcount", file, "-o", "-"}).out, "b\t2\na\t1\n");
    EXPECT_FALSE(fs::exists("-"));
    const auto json = (dir.path() / "counts.json").string(), csv = (dir.path() / "counts.CSV").string();
    const auto forced = (dir.path() / "forced.json").string();
    ASSERT_EQ(run_parapipe({"run", "wordcount", file, "-o", json}).code, 0);
    EXPECT_EQ(nlohmann::json::parse(testing::read_file(json))["total_words"], 3);
    ASSERT_EQ(run_parapipe({"run", "wordcount", file, "-o", csv}).code, 0);
    EXPECT_EQ(testing::read_file(csv), "word,count\nb,2\na,1\n");
    ASSERT_EQ(run_parapipe({"run", "wordcount", file, "-o", forced, "--format", "tsv"}).code, 0);
    EXPECT_EQ(testing::read_file(forced), "b\t2\na\t1\n");
}

TEST(CliDefaults, QuietLeavesOnlyErrors) {
    TempDir dir;
    fs::create_directory(dir.path() / "empty");
    const auto empty = (dir.path() / "empty").string();
    EXPECT_TRUE(has(run_parapipe({"run", "wordcount", empty}).err, "warning"));
    auto q = run_parapipe({"run", "wordcount", empty, "-q", "--progress", "always"});
    EXPECT_EQ(q.code, 0);
    EXPECT_TRUE(q.err.empty()) << q.err;
    EXPECT_EQ(run_parapipe({"run", "wordcount", "/nonexistent", "-q"}).code, 2);
    EXPECT_FALSE(run_parapipe({"run", "wordcount", "/nonexistent", "-q"}).err.empty());
}

TEST(CliDefaults, OutputFilesHonourTheUmaskAndKeepAnExistingMode) {
    TempDir dir;
    auto file = dir.write("t.txt", "x");
    const auto out = (dir.path() / "out.tsv").string();
    const mode_t old = ::umask(027);  // inherited by the command
    auto r = run_parapipe({"run", "wordcount", file, "-o", out});
    ::umask(old);
    ASSERT_EQ(r.code, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    ::chmod(out.c_str(), 0604);
    ASSERT_EQ(run_parapipe({"run", "wordcount", file, "-o", out}).code, 0);
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0604u);
}

TEST(CliDefaults, HiddenEntriesAreSkippedUnlessAsked) {
    TempDir dir;
    fs::create_directories(dir.path() / "in" / ".git");
    dir.write("in/.git/objects", "secret");
    dir.write("in/.env", "dotfile");
    dir.write("in/a.txt", "visible");
    const auto in = (dir.path() / "in").string();
    EXPECT_EQ(run_parapipe({"run", "wordcount", in}).out, "visible\t1\n");
    EXPECT_EQ(run_parapipe({"run", "wordcount", in, "--hidden"}).out, "dotfile\t1\nsecret\t1\nvisible\t1\n");
}

// The progress line appears while a pipe is still being read: the writer keeps the pipe open
// until the line is seen on stderr.
TEST(CliDefaults, ProgressShowsWhileStandardInputIsRead) {
    const char* bin = std::getenv("PARAPIPE_BIN");
    ASSERT_NE(bin, nullptr);
    int in[2], err[2];
    ASSERT_EQ(::pipe(in), 0);
    ASSERT_EQ(::pipe(err), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(err[1], 2);
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::close(in[1]);
        ::close(err[0]);
        ::execl(bin, bin, "run", "wordcount", "--progress", "always", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(err[1]);
    const std::string block(1 << 16, 'w');
    ASSERT_EQ(::write(in[1], block.data(), block.size()), static_cast<ssize_t>(block.size()));
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!has(seen, "reading <stdin>") && std::chrono::steady_clock::now() < deadline) {
        pollfd p{err[0], POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            char buf[512];
            ssize_t n = ::read(err[0], buf, sizeof buf);
            if (n <= 0) break;
            seen.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(in[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(err[0]);
    EXPECT_TRUE(has(seen, "reading <stdin>  0.1 MB")) << seen;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// --format same: a PPM input whose result has one channel becomes a PGM, said once.
TEST(CliDefaults, ImageSameFormatFallsBackToTheNearestThatHoldsTheResult) {
    TempDir dir;
    std::string ppm = "P6\n2 2\n255\n";
    for (int i = 0; i < 12; ++i) ppm += static_cast<char>(i * 20);
    dir.write("in/a.ppm", ppm);
    dir.write("in/b.ppm", ppm);
    const auto out = (dir.path() / "out").string();
    auto r = run_parapipe({"run", "image", (dir.path() / "in").string(), "--ops", "grayscale", "-o", out});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "a.pgm"));
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "b.pgm"));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(has(r.err, ".pgm")) << r.err;
    auto color = run_parapipe({"run", "image", (dir.path() / "in").string(), "--ops", "invert", "-o", out, "-q"});
    EXPECT_EQ(color.code, 0);
    EXPECT_TRUE(color.err.empty() && color.out.empty()) << color.err << color.out;
    EXPECT_TRUE(fs::exists(dir.path() / "out" / "a.ppm"));
}

// Without --chunk-size, an input of 1 MiB or more makes at least 4 chunks per worker
// (engine/chunk_size.hpp); the result is the same whatever the chunks.
TEST(CliDefaults, ChunkSizeFollowsTheInputAndTheWorkers) {
    TempDir dir;
    std::string text;
    for (int i = 0; text.size() < (std::size_t{1} << 20) + 4321; ++i) text += "w" + std::to_string(i % 5003) + ' ';
    auto file = dir.write("t.txt", text);
    auto chunks_of = [](const std::string& stats) {
        const auto at = stats.find("chunks ");
        return at == std::string::npos ? 0ul : std::stoul(stats.substr(at + 7));
    };
    auto two = run_parapipe({"run", "wordcount", file, "-j", "2", "--stats"});
    EXPECT_GE(chunks_of(two.err), 8u) << two.err;
    auto seq = run_parapipe({"run", "wordcount", file, "-m", "seq", "--stats"});
    EXPECT_GE(chunks_of(seq.err), 4u) << seq.err;
    auto given = run_parapipe({"run", "wordcount", file, "-j", "2", "-c", "8MiB", "--stats"});
    EXPECT_EQ(chunks_of(given.err), 1u) << given.err;
    auto small = run_parapipe({"run", "wordcount", dir.write("s.txt", "a b"), "-j", "2", "--stats"});
    EXPECT_EQ(chunks_of(small.err), 1u) << small.err;
    EXPECT_EQ(two.out, given.out);
    EXPECT_EQ(seq.out, given.out);
}

// processes mode ships every chunk's partial, so on large inputs its default chunks go past
// 8 MiB (8 per worker, up to 32 MiB), unless --memory-limit leaves a worker too little for such
// a chunk's partial. 72 MiB with one worker: 8 MiB chunks in threads mode (9), 9 MiB in
// processes mode (8).
TEST(CliDefaults, ProcessesModeTakesLargerChunksUnlessMemoryIsShort) {
    TempDir dir;
    std::string text;
    for (int i = 0; text.size() < (std::size_t{72} << 20); ++i) text += "w" + std::to_string(i % 7919) + ' ';
    auto file = dir.write("t.txt", text);
    text = {};
    auto chunks_of = [](const std::string& stats) {
        const auto at = stats.find("chunks ");
        return at == std::string::npos ? 0ul : std::stoul(stats.substr(at + 7));
    };
    auto threads = run_parapipe({"run", "wordcount", file, "-j", "1", "--stats"});
    EXPECT_EQ(chunks_of(threads.err), 9u) << threads.err;
    auto processes = run_parapipe({"run", "wordcount", file, "-m", "processes", "-j", "1", "--stats"});
    EXPECT_EQ(chunks_of(processes.err), 8u) << processes.err;
    auto short_of_memory =
        run_parapipe({"run", "wordcount", file, "-m", "processes", "-j", "1", "--memory-limit", "256MiB", "--stats"});
    EXPECT_EQ(chunks_of(short_of_memory.err), 9u) << short_of_memory.err;
    EXPECT_EQ(threads.code, 0);
    EXPECT_EQ(processes.out, threads.out);
    EXPECT_EQ(short_of_memory.out, threads.out);
}

// An input of 8 MiB or more runs with glibc's malloc tuned (cli/malloc_tuning.hpp): the same
// bytes out, in every mode, and no file but the outputs. PARAPIPE_MALLOC=default keeps glibc's
// defaults, and so do small inputs. A malloc that ignores mallopt (AddressSanitizer's: the CLI
// is built as this test is) leaves the defaults, and --stats says so.
TEST(CliDefaults, BigInputsRunWithMallocTunedAndGiveTheSameBytes) {
    // Probed with glibc's own default top pad (128 KiB), so this process's top pad stays as it was.
    const bool takes_mallopt = ::mallopt(M_TOP_PAD, 128 * 1024) == 1;
    const char* tuned_stats = takes_mallopt ? "malloc tuned" : "malloc default";
    TempDir dir;
    std::string text;
    for (int i = 0; text.size() < (std::size_t{8} << 20) + 4321; ++i) {
        text += 'w';
        text += std::to_string(i % 70001);
        text += ' ';
    }
    const auto file = dir.write("in/big.txt", text);
    const auto small = dir.write("in/small.txt", "a b b");
    const fs::path out = dir.path() / "out";
    fs::create_directory(out);
    const auto count_into = [&](const std::string& name, const std::vector<std::string>& more) {
        std::vector<std::string> args{"run", "wordcount", file, "--stats", "-o", (out / name).string()};
        args.insert(args.end(), more.begin(), more.end());
        return run_parapipe(args);
    };
    ::unsetenv("PARAPIPE_MALLOC");
    const auto tuned = count_into("tuned.tsv", {});
    EXPECT_EQ(tuned.code, 0) << tuned.err;
    EXPECT_TRUE(has(tuned.err, tuned_stats)) << tuned.err;
    for (const char* mode : {"seq", "processes", "shm"}) {
        const auto r = count_into(std::string(mode) + ".tsv", {"-m", mode});
        EXPECT_TRUE(has(r.err, tuned_stats)) << mode << ": " << r.err;
    }
    EXPECT_TRUE(has(run_parapipe({"run", "wordcount", small, "--stats"}).err, "malloc default"));
    ::setenv("PARAPIPE_MALLOC", "default", 1);
    const auto plain = count_into("default.tsv", {});
    ::unsetenv("PARAPIPE_MALLOC");
    EXPECT_TRUE(has(plain.err, "malloc default")) << plain.err;

    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"default.tsv", "processes.tsv", "seq.tsv", "shm.tsv", "tuned.tsv"}));
    const auto read = [&](const char* name) { return testing::read_file((out / name).string()); };
    EXPECT_EQ(read("tuned.tsv"), read("default.tsv"));
    for (const char* name : {"seq.tsv", "processes.tsv", "shm.tsv"}) EXPECT_EQ(read(name), read("default.tsv")) << name;
    EXPECT_TRUE(has(read("default.tsv"), "\nw69999\t")) << "every word counted";
}

// The environment `run image` hands to parapipe-image: glibc's tunables ahead of the user's
// (which win), once; nothing when PARAPIPE_MALLOC is set.
TEST(CliDefaults, TunedMallocEnvironmentKeepsTheUsersTunablesLast) {
    ::unsetenv("PARAPIPE_MALLOC");
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=1", 1);
    ASSERT_TRUE(cli::set_tuned_malloc_environment());
    EXPECT_STREQ(std::getenv("GLIBC_TUNABLES"),
                 "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432:glibc.malloc.arena_max=1");
    EXPECT_STREQ(std::getenv("PARAPIPE_MALLOC"), "tuned");
    EXPECT_TRUE(cli::malloc_tuned());
    EXPECT_FALSE(cli::set_tuned_malloc_environment());  // already tuned: not added twice
    EXPECT_STREQ(std::getenv("GLIBC_TUNABLES"),
                 "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432:glibc.malloc.arena_max=1");
    ::setenv("PARAPIPE_MALLOC", "default", 1);
    ::unsetenv("GLIBC_TUNABLES");
    EXPECT_FALSE(cli::set_tuned_malloc_environment());
    EXPECT_EQ(std::getenv("GLIBC_TUNABLES"), nullptr);
    EXPECT_FALSE(cli::malloc_tuned());
    ::unsetenv("PARAPIPE_MALLOC");
}

// parapipe itself loads no OpenCV and no Open MPI (start-up); image commands run in parapipe-image, with the
// same help, messages and exit codes.
TEST(CliDefaults, OpenCvIsLoadedOnlyByImageCommands) {
    const char* bin = std::getenv("PARAPIPE_BIN");
    ASSERT_NE(bin, nullptr);
    std::string libs;
    if (FILE* p = ::popen(("ldd '" + std::string(bin) + "'").c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) libs += buf;
        ::pclose(p);
    }
    ASSERT_TRUE(has(libs, "libc.so")) << libs;
    EXPECT_FALSE(has(libs, "opencv")) << libs;
    EXPECT_FALSE(has(libs, "libmpi")) << libs;  // mpi runs are handed to parapipe-image too
    TempDir dir;
    expect_usage_error(run_parapipe({"run", "image", dir.write("a.ppm", "P6\n1 1\n255\nabc"), "-o",
                                     (dir.path() / "out").string()}),
                       "--ops");
    auto help = run_parapipe({"run", "--help"});
    EXPECT_TRUE(has(help.out, "image")) << help.out;
}

}  // namespace
}  // namespace parapipe
