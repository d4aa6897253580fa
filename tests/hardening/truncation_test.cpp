// Inputs changed by someone else while they are read. Regular files are memory-mapped; reading
// a page past the end of a file truncated under us raises SIGBUS, which used to kill the run
// (or, in process modes, every worker until the chunk failed as "killed by signal 7").
// TextSource now turns it into an Error naming the file (engine/text_source.cpp, Guard).
// A file deleted or replaced by rename while being read is counted as it was when opened.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/parapipe.hpp>

#include "tests/hardening/hardening_support.hpp"

namespace parapipe {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr const char* kLine = "alpha beta gamma delta epsilon\n";

// Counts words; on the first word each process sees, calls `act` once (per process: forked
// workers each get their own flag, so in process modes every worker acts once).
template <class Act>
auto counting_with(const std::string& path, std::size_t chunk, Act act) {
    auto once = std::make_shared<std::atomic<bool>>(false);
    return text_files({path}, chunk)
        .flat_map(ops::words)
        .map([once, act](std::string_view w) {
            if (!once->exchange(true)) act();
            return w;
        })
        .count_by_key();
}

TEST(Truncation, InputTruncatedWhileReadFailsClearlyInEveryMode) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        TempDir dir;
        const std::string path = (dir.path() / "shrinking.txt").string();
        hardening::write_repeated(path, kLine, 8 << 20);
        auto pipeline = counting_with(path, 64 << 10, [path] { ::truncate(path.c_str(), 100); });
        try {
            pipeline.run({.mode = mc.mode, .workers = mc.workers});
            ADD_FAILURE() << "expected an Error";
        } catch (const Error& e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find(path + " was truncated while being read (8388608 bytes when opened"), std::string::npos)
                << msg;
        }
        EXPECT_EQ(testing::count_children(), 0);
        EXPECT_EQ(testing::count_shm_segments(), 0);
    }
}

// Truncated to a size inside the last page: no SIGBUS at all (the page tail reads as zeros);
// the size check after the chunk catches it.
TEST(Truncation, TruncationWithinTheLastPageIsCaughtToo) {
    TempDir dir;
    const std::string path = (dir.path() / "tail.txt").string();
    hardening::write_repeated(path, kLine, 4000);
    auto pipeline = counting_with(path, 1 << 20, [path] { ::truncate(path.c_str(), 2000); });
    EXPECT_THROW(pipeline.run({.mode = Mode::seq}), Error);
}

TEST(Truncation, InputDeletedOrReplacedWhileReadIsCountedAsOpened) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        TempDir dir;
        const std::string path = (dir.path() / "vanishing.txt").string();
        hardening::write_repeated(path, kLine, 2 << 20);
        const std::string replacement = dir.write("other.txt", "completely different words");
        const auto expected = text_files({path}, 64 << 10).flat_map(ops::words).count_by_key().run({});
        auto deleted = counting_with(path, 64 << 10, [path] { ::unlink(path.c_str()); });
        EXPECT_EQ(deleted.run({.mode = mc.mode, .workers = mc.workers}), expected);

        hardening::write_repeated(path, kLine, 2 << 20);
        auto replaced = counting_with(path, 64 << 10, [&] { ::rename(replacement.c_str(), path.c_str()); });
        EXPECT_EQ(replaced.run({.mode = mc.mode, .workers = mc.workers}), expected);
    }
}

TEST(Truncation, InputGrowingWhileReadIsCountedAsOpened) {
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        TempDir dir;
        const std::string path = (dir.path() / "growing.txt").string();
        hardening::write_repeated(path, kLine, 2 << 20);
        const auto expected = text_files({path}, 64 << 10).flat_map(ops::words).count_by_key().run({});
        auto growing = counting_with(path, 64 << 10, [path] { std::ofstream(path, std::ios::app) << "appended words\n"; });
        EXPECT_EQ(growing.run({.mode = mc.mode, .workers = mc.workers}), expected);
    }
}

// The command, with another process truncating its input mid-run: exit 1 and one clear line.
TEST(Truncation, CommandReportsAFileTruncatedByAnotherProcess) {
    TempDir dir;
    const std::string path = (dir.path() / "big.txt").string();
    const std::string err_path = (dir.path() / "stderr.txt").string();
    for (Mode mode : {Mode::seq, Mode::threads, Mode::processes, Mode::shm}) {
        if (!testing::mode_enabled(mode)) continue;
        SCOPED_TRACE(std::string(to_string(mode)));
        hardening::write_repeated(path, kLine, std::uint64_t{128} << 20);
        const char* bin = hardening::parapipe_bin();
        const std::string m(to_string(mode));
        pid_t pid = ::fork();
        if (pid == 0) {
            int out = ::open("/dev/null", O_WRONLY);
            int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1), ::dup2(err, 2);
            ::execl(bin, bin, "run", "wordcount", path.c_str(), "--chunk-size", "64KiB", "--mode", m.c_str(),
                    "--workers", "2", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Truncate as soon as the input is mapped, i.e. while it is being chunked or counted.
        const std::string maps = std::string("/proc/").append(std::to_string(pid)).append("/maps");
        bool mapped = false;
        for (auto t0 = std::chrono::steady_clock::now(); !mapped && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60);) {
            std::ifstream f(maps);
            std::string line;
            while (!mapped && std::getline(f, line)) mapped = line.find(path) != std::string::npos;
            if (!mapped) std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        ASSERT_TRUE(mapped);
        ASSERT_EQ(::truncate(path.c_str(), 1000), 0);
        int status = 0;
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
        EXPECT_EQ(WEXITSTATUS(status), 1);
        const std::string err = testing::read_file(err_path);
        EXPECT_NE(err.find(path + " was truncated while being read"), std::string::npos) << err;
        EXPECT_EQ(hardening::lines(err), 1) << err;
        EXPECT_EQ(testing::count_shm_segments(pid), 0);
    }
}

// A SIGBUS that is not about an input still takes the default action (the guard chains).
TEST(Truncation, UnrelatedSigbusIsNotSwallowed) {
    TempDir dir;
    const std::string input = dir.write("in.txt", "keep the guard installed");
    auto source = TextSource::open({input}, 64, utf8::next_cut);  // installs the handler
    pid_t pid = ::fork();
    if (pid == 0) {
        // A mapping of our own, past the end of its (empty) file: SIGBUS on touch.
        const std::string other = (dir.path() / "empty.bin").string();
        int fd = ::open(other.c_str(), O_RDWR | O_CREAT, 0644);
        auto* p = static_cast<volatile char*>(::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0));
        [[maybe_unused]] char c = p[0];
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (PARAPIPE_UNDER_SANITIZER && WIFEXITED(status)) {
        EXPECT_NE(WEXITSTATUS(status), 0);  // the sanitizer's own SIGBUS report, chained to
        return;
    }
    ASSERT_TRUE(WIFSIGNALED(status)) << "exited with " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGBUS);
}

}  // namespace
}  // namespace parapipe
