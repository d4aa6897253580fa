// Streams as input in every mode: standard input and named pipes are read in windows of memory
// (engine/text_source.hpp), never copied to $TMPDIR: a run works with $TMPDIR missing.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/parapipe.hpp>

#include "cli/wordcount_format.hpp"
#include "tests/hardening/hardening_support.hpp"
#include "tests/support/stream_writer.hpp"

namespace parapipe {
namespace {

using testing::make_fifo;
using testing::run_parapipe;
using testing::StreamWriter;
using testing::TempDir;

std::string text_of(std::size_t bytes) {
    std::string s;
    const char* words[] = {"Stream ", "pipe ", "FIFO,", "standard ", "input\n", "Ünïcode ", "日本語 ", "x\xCC\x81 "};
    for (std::size_t i = 0; s.size() < bytes; ++i) s += words[(i * 5 + i / 3) % 8];
    return s;
}

std::string reference_tsv_of(const std::string& text) {
    testing::ReferenceCount ref;
    testing::reference_count(text, ref);
    return testing::reference_tsv(ref);
}

TEST(Streams, StandardInputWorksInEveryMode) {
    const std::string text = text_of(3 << 20);
    const std::string expected = reference_tsv_of(text);
    for (const auto& mc : testing::all_mode_cases()) {
        auto r = run_parapipe({"run", "wordcount", "-", "--chunk-size", "64KiB", "--mode",
                               std::string(to_string(mc.mode)), "--workers", std::to_string(mc.workers)},
                              text);
        EXPECT_EQ(r.code, 0) << mc.name() << r.err;
        EXPECT_TRUE(r.out == expected) << mc.name();
    }
}

TEST(Streams, EmptyStandardInputGivesAnEmptyResult) {
    auto r = run_parapipe({"run", "wordcount"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Streams, NamedPipeWorksInEveryMode) {
    const std::string text = text_of(3 << 20);
    const std::string expected = reference_tsv_of(text);
    for (const auto& mc : testing::all_mode_cases()) {
        TempDir dir;
        const std::string fifo = make_fifo(dir, "in.fifo");
        StreamWriter writer(fifo, text);
        auto r = run_parapipe({"run", "wordcount", fifo, "--chunk-size", "64KiB", "--mode",
                               std::string(to_string(mc.mode)), "--workers", std::to_string(mc.workers)});
        writer.join();
        EXPECT_EQ(r.code, 0) << mc.name() << r.err;
        EXPECT_TRUE(r.out == expected) << mc.name();
    }
}

// Standard input, a named pipe and a file in one run.
TEST(Streams, StreamsAndFilesMix) {
    TempDir dir;
    const std::string a = text_of(100000), b = text_of(70000) + " fifo", c = "file words file";
    const std::string fifo = make_fifo(dir, "b.fifo");
    const std::string file = dir.write("c.txt", c);
    StreamWriter writer(fifo, b);
    const char* mode = testing::mode_enabled(Mode::shm) ? "shm" : "threads";
    auto r = run_parapipe({"run", "wordcount", "-", fifo, file, "--mode", mode, "--workers", "2"}, a);
    writer.join();
    EXPECT_EQ(r.code, 0) << r.err;
    testing::ReferenceCount ref;
    for (const auto* t : {&a, &b, &c}) testing::reference_count(*t, ref);
    EXPECT_TRUE(r.out == testing::reference_tsv(ref));
}

// Through the C++ API: a named pipe, read by one run, in every mode.
TEST(Streams, NamedPipeThroughTheApi) {
    const std::string text = text_of(1 << 20);
    const std::string expected = reference_tsv_of(text);
    for (const auto& mc : testing::all_mode_cases()) {
        if (mc.mode == Mode::mpi) continue;  // refused for streams
        TempDir dir;
        const std::string fifo = make_fifo(dir, "api.fifo");
        StreamWriter writer(fifo, text);
        auto source = wordcount::open({fifo}, 16 << 10);  // opens the FIFO; reads nothing yet
        auto plan = wordcount::make_plan(source);
        EXPECT_TRUE(wordcount::format(run(plan, {.mode = mc.mode, .workers = mc.workers}), wordcount::Format::tsv) ==
                    expected)
            << mc.name();
        writer.join();
        EXPECT_EQ(source->text().total_bytes(), text.size());
        EXPECT_THROW(run(plan, {.mode = mc.mode, .workers = mc.workers}), UsageError);  // read once
    }
}

// No temporary file for a stream: $TMPDIR missing or unwritable changes nothing, and the
// result is the file's.
TEST(Streams, StandardInputNeedsNoTemporaryFolder) {
    TempDir dir;
    const std::string text = text_of(1 << 20);
    const std::string file = dir.write("in.txt", text);
    const auto from_file = run_parapipe({"run", "wordcount", file});
    ASSERT_EQ(from_file.code, 0) << from_file.err;
    const std::string unwritable = (dir.path() / "ro").string();
    std::filesystem::create_directory(unwritable);
    std::filesystem::permissions(unwritable, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    const char* old = std::getenv("TMPDIR");
    const std::string saved = old ? old : "";
    for (const std::string& tmp : {(dir.path() / "missing").string(), unwritable, std::string("/proc")}) {
        ::setenv("TMPDIR", tmp.c_str(), 1);
        for (const char* mode : {"seq", "threads", "processes", "shm"}) {
            if (!testing::mode_enabled(*parse_mode(mode))) continue;
            auto r = run_parapipe({"run", "wordcount", "-", "--mode", mode, "--workers", "2", "--stats"}, text);
            EXPECT_EQ(r.code, 0) << tmp << " " << mode << " " << r.err;
            EXPECT_TRUE(r.out == from_file.out) << tmp << " " << mode;
            EXPECT_EQ(r.err.find("spool"), std::string::npos) << r.err;
        }
    }
    if (old) ::setenv("TMPDIR", saved.c_str(), 1);
    else ::unsetenv("TMPDIR");
}

// A read error on a stream: one line naming it, exit 2 (README, bad input). /proc/self/mem
// fails its first read with EIO.
TEST(Streams, ReadErrorIsOneClearLine) {
    for (const char* mode : {"seq", "processes"}) {
        if (!testing::mode_enabled(*parse_mode(mode))) continue;
        auto r = run_parapipe({"run", "wordcount", "/proc/self/mem", "--mode", mode});
        EXPECT_EQ(r.code, 2) << mode;
        EXPECT_EQ(r.err, "parapipe: cannot read /proc/self/mem: Input/output error\n") << mode;
        EXPECT_TRUE(r.out.empty());
    }
}

// Ctrl-C while the reader waits for a stream that sends nothing more: the run stops promptly
// (exit 128 + 2), though the writer keeps the pipe open. The signal is sent once the progress
// line shows the first bytes were read (so the handlers are installed).
TEST(Streams, InterruptStopsAReaderWaitingForData) {
    const char* bin = std::getenv("PARAPIPE_BIN");
    ASSERT_NE(bin, nullptr);
    for (const char* mode : {"threads", "processes"}) {
        if (!testing::mode_enabled(*parse_mode(mode))) continue;
        int in[2], err[2];
        ASSERT_EQ(::pipe(in), 0);
        ASSERT_EQ(::pipe(err), 0);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::dup2(in[0], 0);
            ::dup2(err[1], 2);
            const int devnull = ::open("/dev/null", O_WRONLY);
            ::dup2(devnull, 1);
            ::close(in[1]);
            ::close(err[0]);
            ::execl(bin, bin, "run", "wordcount", "-", "--progress", "always", "--mode", mode, "--workers", "2",
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(err[1]);
        const std::string block(1 << 16, 'w');
        ASSERT_EQ(::write(in[1], block.data(), block.size()), static_cast<ssize_t>(block.size()));
        std::string seen;
        const bool reading = testing::wait_until([&] {
            pollfd p{err[0], POLLIN, 0};
            if (::poll(&p, 1, 0) > 0) {
                char buf[512];
                const ssize_t n = ::read(err[0], buf, sizeof buf);
                if (n > 0) seen.append(buf, static_cast<std::size_t>(n));
            }
            return seen.find("reading <stdin>  0.1 MB") != std::string::npos;
        });
        EXPECT_TRUE(reading) << seen;
        ::kill(pid, SIGINT);
        int status = 0;
        const bool exited = testing::wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
        if (!exited) {  // a hang: fail without leaving the process behind
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
        EXPECT_TRUE(exited) << mode;
        ::close(in[1]);
        ::close(err[0]);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << mode << " status " << status;
    }
}

}  // namespace
}  // namespace parapipe
