// ForkGate (engine/fork_gate.hpp): no fork of the process catches a thread with a pass inside
// the gate.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <parapipe/engine/fork_gate.hpp>

namespace {

// A helper thread (a ForkGate::Thread, as the engine's) spends nearly all its time inside the
// gate with `inside` set, and steps aside only briefly. Every child must see `inside` clear: it
// was forked while the thread stood aside. Without the gate nearly every child would see it set.
TEST(ForkGate, AForkNeverCatchesAThreadInsideTheGate) {
    std::atomic<bool> stop{false};
    std::atomic<bool> inside{false};
    std::atomic<int> rounds{0};
    parapipe::ForkGate::Thread helper([&](parapipe::ForkGate::Pass& pass) {
        while (!stop.load()) {
            inside.store(true);
            std::atomic<int> spin{0};
            while (spin.fetch_add(1, std::memory_order_relaxed) < 20000) {
            }
            inside.store(false);
            rounds.fetch_add(1);
            pass.aside([] {});  // no yield: descheduled, the helper is most likely inside
        }
    });
    while (rounds.load() == 0) std::this_thread::yield();  // the helper runs
    for (int i = 0; i < 100; ++i) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) ::_exit(inside.load() ? 1 : 0);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << "fork " << i << " caught the helper inside the gate";
    }
    stop.store(true);
    helper.join();
}

// A pass whose thread has left lets every fork through at once; so does a thread waiting aside.
TEST(ForkGate, ThreadsAsideOrGoneDoNotHoldForksBack) {
    std::atomic<bool> release{false};
    std::atomic<bool> waiting{false};
    parapipe::ForkGate::Pass gone;
    gone.leave();
    parapipe::ForkGate::Pass waiter;
    std::thread t([&] {
        waiter.aside([&] {
            waiting.store(true);
            while (!release.load()) std::this_thread::yield();
        });
        waiter.leave();
    });
    while (!waiting.load()) std::this_thread::yield();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    release.store(true);
    t.join();
}

}  // namespace
