// engine/cancel.hpp: a library user's program that wires RunOptions::cancel to
// cancel_on_signals() stops cleanly on SIGTERM and SIGINT: no segment, no worker, no temp file.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <parapipe/engine/cancel.hpp>
#include <parapipe/pipelines/wordcount.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::wait_until;

namespace fs = std::filesystem;


// Each case runs in a fresh process (ctest runs one test per process), so forking is safe.
void expect_clean_stop(int sig, Mode mode) {
    testing::TempDir dir;
    std::string text;
    while (text.size() < (3u << 20)) text += "library signal test words ";
    const auto file = dir.write("big.txt", text);
    pid_t pid = ::fork();
    if (pid == 0) {
        RunOptions opt{.mode = mode, .workers = 2, .cancel = cancel_on_signals()};
        try {
            wordcount::count(wordcount::open({file}, 1), 0, opt);  // chunk size 1: a long run
        } catch (const Interrupted& e) {
            ::_exit(128 + e.signal());
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    std::vector<int> workers;
    ASSERT_TRUE(wait_until([&] { return (workers = testing::children_of(pid)).size() == 2; }))
        << "the run never started";
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 128 + sig);
    EXPECT_EQ(testing::count_shm_segments(pid), 0);
    for (int w : workers) EXPECT_FALSE(fs::exists("/proc/" + std::to_string(w))) << "worker " << w << " left";
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1);
}

TEST(CancelOnSignals, SigtermStopsAnShmRunCleanly) { expect_clean_stop(SIGTERM, Mode::shm); }
TEST(CancelOnSignals, SigintStopsAProcessesRunCleanly) { expect_clean_stop(SIGINT, Mode::processes); }

TEST(CancelOnSignals, ReturnsTheSameFlagEveryTime) { EXPECT_EQ(cancel_on_signals(), cancel_on_signals()); }

}  // namespace
}  // namespace parapipe
