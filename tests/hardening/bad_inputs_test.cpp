// Bad inputs through the parapipe command: each gets one clear line on stderr and a documented
// exit code (cli/exit_codes.hpp), never a crash; nothing already written is corrupted and no
// partial output file is left. One test per row of the bad-input table (tests/hardening/README.md).
// Truncated inputs: truncation_test.cpp; huge words and memory: memory_test.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>

#include "tests/hardening/hardening_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using hardening::run_with;
using testing::run_parapipe;
using testing::TempDir;

int entries(const fs::path& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
    return n;
}

// Exactly one line on stderr, starting "parapipe: ".
void expect_one_line(const testing::Exec& r, const std::string& needle) {
    EXPECT_EQ(hardening::lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("parapipe: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "expected '" << needle << "' in: " << r.err;
}

// Runs as nobody (when root) and skips the test when nobody cannot reach `dir` or the binary.
testing::Exec run_as_nobody(const std::vector<std::string>& args, const TempDir& dir) {
    const std::string reach = dir.path().string();
    auto r = run_with(
        args,
        [&] {
            hardening::become_nobody();
            if (::access(reach.c_str(), X_OK) != 0 || ::access(hardening::parapipe_bin(), X_OK) != 0) ::_exit(125);
        },
        reach);
    return r;
}

#define SKIP_IF_NOBODY_CANNOT_RUN(r)                                                                     \
    if ((r).code == 125 || (r).code == 126 || (r).code == 127)                                           \
    GTEST_SKIP() << "cannot run parapipe as an unprivileged user here (the temporary folder or the "    \
                    "binary is not reachable by uid 65534)"

TEST(BadInputs, NonexistentPathExitsTwo) {
    TempDir dir;
    const std::string missing = (dir.path() / "missing.txt").string();
    auto r = run_parapipe({"run", "wordcount", missing});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.out.empty());
    expect_one_line(r, "no such file or directory: " + missing);
}

TEST(BadInputs, DirectoryWithoutPermissionExitsTwo) {
    TempDir dir;
    dir.write("locked/a.txt", "hidden words");
    const std::string locked = (dir.path() / "locked").string();
    ASSERT_EQ(::chmod(locked.c_str(), 0), 0);
    auto r = run_as_nobody({"run", "wordcount", locked}, dir);
    SKIP_IF_NOBODY_CANNOT_RUN(r);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_TRUE(r.out.empty());
    expect_one_line(r, "cannot read directory " + locked + ": Permission denied");
}

TEST(BadInputs, FileWithoutPermissionExitsTwo) {
    TempDir dir;
    const std::string secret = dir.write("secret.txt", "hidden words");
    ASSERT_EQ(::chmod(secret.c_str(), 0), 0);
    auto r = run_as_nobody({"run", "wordcount", secret}, dir);
    SKIP_IF_NOBODY_CANNOT_RUN(r);
    EXPECT_EQ(r.code, 2) << r.err;
    expect_one_line(r, "cannot read " + secret + ": Permission denied");
}

// Random bytes: no crash, the letters among them are words, ill-formed bytes are counted.
TEST(BadInputs, BinaryDataIsCountedLikeTextInEveryMode) {
    TempDir dir;
    std::mt19937 rng(42);
    std::string bytes(1 << 20, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    const std::string path = dir.write("random.bin", bytes);
    testing::ReferenceCount ref;
    testing::reference_count(bytes, ref);
    const std::string expected = testing::reference_tsv(ref);
    for (const auto& mc : testing::all_mode_cases()) {
        auto r = run_parapipe({"run", "wordcount", path, "--chunk-size", "64KiB", "--mode",
                               std::string(to_string(mc.mode)), "--workers", std::to_string(mc.workers)});
        EXPECT_EQ(r.code, 0) << mc.name() << r.err;
        EXPECT_TRUE(r.out == expected) << mc.name();
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
    auto j = nlohmann::json::parse(run_parapipe({"run", "wordcount", path, "--format", "json"}).out);
    EXPECT_EQ(j["invalid_bytes"], ref.invalid_bytes);
    EXPECT_GT(ref.invalid_bytes, 0u);
}

// /proc and /sys files claim size 0 (or 4096) and cannot be mapped: they are read like streams.
TEST(BadInputs, PseudoFilesAreReadLikeStreams) {
    for (const char* path : {"/proc/version", "/proc/filesystems"}) {
        if (!fs::exists(path)) continue;
        testing::ReferenceCount ref;
        testing::reference_count(testing::read_file(path), ref);
        ASSERT_GT(ref.words, 0u) << path;
        auto r = run_parapipe({"run", "wordcount", path, "--mode", "threads", "--workers", "2"});
        EXPECT_EQ(r.code, 0) << path << r.err;
        EXPECT_EQ(r.out, testing::reference_tsv(ref)) << path;
    }
}

// An empty directory is an empty input: empty result, exit 0, and a warning saying why.
TEST(BadInputs, EmptyDirectoryGivesAnEmptyResultAndAWarning) {
    TempDir dir;
    fs::create_directories(dir.path() / "empty" / "nested");
    auto r = run_parapipe({"run", "wordcount", (dir.path() / "empty").string()});
    EXPECT_EQ(r.code, 0);
    EXPECT_TRUE(r.out.empty());
    expect_one_line(r, "warning: no regular files found");
    auto j = nlohmann::json::parse(
        run_parapipe({"run", "wordcount", (dir.path() / "empty").string(), "--format", "json"}).out);
    EXPECT_EQ(j["total_words"], 0);
}

// A named symlink loop is a usage error naming the loop; loops (and dangling links) inside a
// directory are skipped like any non-file entry.
TEST(BadInputs, SymlinkLoopIsAClearErrorOrSkippedInADirectory) {
    TempDir dir;
    fs::create_symlink("loop_b", dir.path() / "loop_a");
    fs::create_symlink("loop_a", dir.path() / "loop_b");
    const std::string loop = (dir.path() / "loop_a").string();
    auto r = run_parapipe({"run", "wordcount", loop});
    EXPECT_EQ(r.code, 2);
    expect_one_line(r, "cannot read " + loop + ": Too many levels of symbolic links");

    dir.write("tree/words.txt", "one two two");
    fs::create_symlink("self", dir.path() / "tree" / "self");
    fs::create_symlink("nowhere", dir.path() / "tree" / "dangling");
    fs::create_directory_symlink("..", dir.path() / "tree" / "up");  // directory symlinks are not followed
    auto t = run_parapipe({"run", "wordcount", (dir.path() / "tree").string()});
    EXPECT_EQ(t.code, 0) << t.err;
    EXPECT_EQ(t.out, "two\t2\none\t1\n");
}

TEST(BadInputs, OutputFolderNotWritableExitsTwoBeforeWork) {
    TempDir dir;
    const std::string input = dir.write("in.txt", "some words");
    fs::create_directory(dir.path() / "ro");
    ::chmod((dir.path() / "ro").c_str(), 0555);
    const std::string out = (dir.path() / "ro" / "out.tsv").string();
    auto r = run_as_nobody({"run", "wordcount", input, "--output", out}, dir);
    SKIP_IF_NOBODY_CANNOT_RUN(r);
    EXPECT_EQ(r.code, 2);
    expect_one_line(r, "cannot write output " + out + ": Permission denied");
    EXPECT_EQ(entries(dir.path() / "ro"), 0);
}

TEST(BadInputs, OutputThatIsADirectoryExitsTwo) {
    TempDir dir;
    const std::string input = dir.write("in.txt", "some words");
    auto r = run_parapipe({"run", "wordcount", input, "--output", dir.path().string()});
    EXPECT_EQ(r.code, 2);
    expect_one_line(r, "is a directory");
}

// Disk full, simulated with RLIMIT_FSIZE (write fails with EFBIG): exit 1, the previous output
// untouched, no temporary file left beside it.
TEST(BadInputs, DiskFullOnOutputKeepsThePreviousOutput) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 20000; ++i) text.append("w").append(std::to_string(i)).append(" ");  // output ~180 KB
    const std::string input = dir.write("in/words.txt", text);
    fs::create_directory(dir.path() / "out");
    const std::string out = dir.write("out/result.tsv", "previous result\n");
    auto r = run_with({"run", "wordcount", input, "--output", out}, [] { hardening::limit_file_size(16 << 10); },
                      dir.path().string());
    EXPECT_EQ(r.code, 1);
    expect_one_line(r, "cannot write output " + out + ": File too large");
    EXPECT_EQ(testing::read_file(out), "previous result\n");
    EXPECT_EQ(entries(dir.path() / "out"), 1);  // no .result.tsv.tmp-* left
}

// A device as --output is written in place, never replaced: /dev/full gives ENOSPC.
TEST(BadInputs, DiskFullOnADeviceOutput) {
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    TempDir dir;
    const std::string input = dir.write("in.txt", "some words");
    auto r = run_parapipe({"run", "wordcount", input, "--output", "/dev/full"});
    EXPECT_EQ(r.code, 1);
    expect_one_line(r, "cannot write output /dev/full: No space left on device");
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
    auto n = run_parapipe({"run", "wordcount", input, "--output", "/dev/null"});
    EXPECT_EQ(n.code, 0) << n.err;
    EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

// --output /dev/stdout with stdout redirected to a file: written through, the link left alone.
TEST(BadInputs, OutputToDevStdoutIsWrittenThrough) {
    if (!fs::is_symlink("/dev/stdout")) GTEST_SKIP() << "/dev/stdout is not a symlink here";
    TempDir dir;
    const std::string input = dir.write("in.txt", "some words some");
    hardening::Redirect io;
    io.stdout_path = (dir.path() / "captured.tsv").string();
    auto r = run_with({"run", "wordcount", input, "--output", "/dev/stdout"}, nullptr, dir.path().string(), io);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(testing::read_file(io.stdout_path), "some\t2\nwords\t1\n");
    EXPECT_TRUE(fs::is_symlink("/dev/stdout"));
}

TEST(BadInputs, DiskFullOnStandardOutput) {
    if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    TempDir dir;
    const std::string input = dir.write("in.txt", "some words");
    hardening::Redirect io;
    io.stdout_path = "/dev/full";
    auto r = run_with({"run", "wordcount", input}, nullptr, dir.path().string(), io);
    EXPECT_EQ(r.code, 1);
    expect_one_line(r, "cannot write to standard output: No space left on device");
}

// More workers than cores works (oversubscribed) and gives the same result; past the limit of
// parapipe::max_workers it is a usage error before any work.
TEST(BadInputs, WorkersBeyondTheMachineStillWork) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 5000; ++i) text.append("w").append(std::to_string(i % 300)).append(" ");
    const std::string input = dir.write("in.txt", text);
    const std::string expected = run_parapipe({"run", "wordcount", input}).out;
    ASSERT_FALSE(expected.empty());
    for (const char* mode : {"threads", "processes", "shm"}) {
        if (!testing::mode_enabled(*parse_mode(mode))) continue;
        auto r = run_parapipe({"run", "wordcount", input, "--mode", mode, "--workers", "64", "--chunk-size", "1KiB"});
        EXPECT_EQ(r.code, 0) << mode << r.err;
        EXPECT_EQ(r.out, expected) << mode;
    }
    auto r = run_parapipe({"run", "wordcount", input, "--mode", "threads", "--workers", "100000"});
    EXPECT_EQ(r.code, 2);
    expect_one_line(r, "--workers: '100000' is not a whole number from 1 to 1024");
}

// One byte per chunk: every word is a chunk of its own; same result in every mode.
TEST(BadInputs, ChunkSizeOfOneByteWorksInEveryMode) {
    TempDir dir;
    const std::string input = dir.write("in.txt", "Ünïcode wörds, ascii words; 日本語 \xFF bad\xC3 end\n");
    const std::string expected = run_parapipe({"run", "wordcount", input}).out;
    ASSERT_FALSE(expected.empty());
    for (const auto& mc : testing::all_mode_cases()) {
        auto r = run_parapipe({"run", "wordcount", input, "--chunk-size", "1", "--mode",
                               std::string(to_string(mc.mode)), "--workers", std::to_string(mc.workers)});
        EXPECT_EQ(r.code, 0) << mc.name() << r.err;
        EXPECT_EQ(r.out, expected) << mc.name();
    }
}

}  // namespace
}  // namespace parapipe
