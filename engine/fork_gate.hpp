#pragma once
// Helper threads of a process that forks workers.
//
// A forked child has only the thread that forked. Any lock another thread held at that moment
// stays held in the child, forever. glibc's own locks (malloc, stdio) are fork-safe, but not
// every runtime's: GCC 12's AddressSanitizer has no fork handlers, and a child forked while a
// helper thread was starting, exiting or allocating waited on its allocator lock for good.
//
// So a helper thread that runs while the coordinator forks holds a ForkGate::Pass. It works
// "inside" the gate, and steps aside where it holds nothing: while it blocks in poll(), sleeps,
// or waits on a condition variable. Every fork of the process (pthread_atfork) first waits until
// each thread with a pass has stepped aside, and keeps them aside until fork() returns.
//
//   ForkGate::Thread t([&](ForkGate::Pass& pass) {  // takes the pass before the thread starts
//       pass.aside([&] { ::poll(...); });             // a fork may happen meanwhile
//   });                                               // leaves when the body returns
//   t.join();                                         // then the pass goes
//
// A thread exits outside the gate, so forks from other threads than the one that joins it can
// still meet its exit: the owner joins it before it forks again. A thread with a pass never
// forks itself (its fork would wait for it).
#include <memory>
#include <thread>
#include <utility>

namespace parapipe {

class ForkGate {
public:
    class Pass {
    public:
        /// Counts the thread as inside the gate from now on: its start is covered too.
        Pass();
        /// Call after the thread was joined (or never started).
        ~Pass();
        Pass(const Pass&) = delete;
        Pass& operator=(const Pass&) = delete;

        /// Runs `wait` (a blocking call that takes no lock of a runtime: poll, a condition
        /// variable) outside the gate, then comes back in once no fork is under way.
        template <class F>
        decltype(auto) aside(F&& wait) {
            leave();
            struct Back {
                Pass& p;
                ~Back() { p.enter(); }
            } back{*this};
            return wait();
        }
        /// Leaves the gate for good (before the thread returns); aside() and checkpoint() are
        /// not called afterwards.
        void leave();

    private:
        void enter();
        bool inside_ = true;
        unsigned generation_ = 0;  // of the process it was counted in (a child starts anew)
    };

    /// A std::thread with its pass: the pass is taken before the thread starts (and dropped if
    /// it cannot start), the body runs inside the gate with the pass to step aside with, leaves
    /// the gate when it returns, and join() releases the pass. Movable, like std::thread.
    class Thread {
    public:
        Thread() = default;
        template <class F>
        explicit Thread(F&& body) : pass_(std::make_unique<Pass>()) {
            thread_ = std::thread([pass = pass_.get(), body = std::forward<F>(body)]() mutable {
                body(*pass);
                pass->leave();
            });
        }
        bool joinable() const noexcept { return thread_.joinable(); }
        void join() {
            thread_.join();
            pass_.reset();
        }

    private:
        std::unique_ptr<Pass> pass_;  // its own allocation: it stays put when the Thread moves
        std::thread thread_;
    };
};

}  // namespace parapipe
