#include <parapipe/engine/fork_gate.hpp>

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace parapipe {

namespace {

// One gate for the process: pthread_atfork handlers cannot be removed, so they are installed
// once and act on whatever passes exist.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    int inside = 0;                  // threads with a pass, inside the gate
    unsigned generation = 0;         // bumped in a child: passes from before the fork count no more
    std::atomic<bool> forking{false};

    static Gate*& current() {
        static Gate* g = [] {
            ::pthread_atfork(&prepare, &parent, &child);
            return new Gate;  // never destroyed: a fork can come during static destruction
        }();
        return g;
    }
    static Gate& get() { return *current(); }
    // Before fork(): wait for every pass to step aside, and keep the lock until fork() returns,
    // so none comes back in meanwhile.
    static void prepare() {
        Gate& g = get();
        std::unique_lock lock(g.mutex);
        g.forking.store(true, std::memory_order_relaxed);
        g.changed.wait(lock, [&] { return g.inside == 0; });
        lock.release();
    }
    static void parent() {
        Gate& g = get();
        g.forking.store(false, std::memory_order_relaxed);
        g.mutex.unlock();
        g.changed.notify_all();
    }
    // The child has none of the threads: it starts with a gate of its own (the old one's
    // condition variable may count waiters that do not exist here), and the passes from before
    // the fork no longer count, so the child may fork in turn.
    static void child() {
        Gate*& g = current();
        auto* fresh = new Gate;
        fresh->generation = g->generation + 1;
        g = fresh;  // the old one is left as it is, locked
    }
};

}  // namespace

ForkGate::Pass::Pass() {
    Gate& g = Gate::get();
    std::unique_lock lock(g.mutex);
    g.changed.wait(lock, [&] { return !g.forking.load(std::memory_order_relaxed); });
    ++g.inside;
    generation_ = g.generation;
}

ForkGate::Pass::~Pass() { leave(); }

void ForkGate::Pass::leave() {
    if (!inside_) return;
    Gate& g = Gate::get();
    {
        std::lock_guard lock(g.mutex);
        if (generation_ == g.generation) --g.inside;
        inside_ = false;
    }
    g.changed.notify_all();
}

void ForkGate::Pass::enter() {
    Gate& g = Gate::get();
    std::unique_lock lock(g.mutex);
    g.changed.wait(lock, [&] { return !g.forking.load(std::memory_order_relaxed); });
    ++g.inside;
    inside_ = true;
    generation_ = g.generation;
}

}  // namespace parapipe
