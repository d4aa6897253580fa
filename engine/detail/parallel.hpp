#pragma once
// The oneTBB pieces shared by the executors and the reductions' parallel finish: joining TBB's
// threads before a fork (TbbScope, KeepTbbThreads), running a finish inside an arena
// (with_arena), and a parallel_for / parallel_sort that stay serial when the caller lends one
// thread, so seq runs never start TBB's threads.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <new>
#include <optional>
#include <utility>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_sort.h>
#include <oneapi/tbb/task_arena.h>

#include <parapipe/engine/mpi_transport.hpp>
#include <parapipe/engine/plan.hpp>

// ThreadSanitizer cannot see the synchronization inside an uninstrumented libtbb (Debian's):
// a partial written by a TBB thread and read after the arena's wait looks like a race. These
// annotations state that happens-before edge; they compile to nothing without TSan.
#if defined(__SANITIZE_THREAD__)
#define PARAPIPE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PARAPIPE_TSAN 1
#endif
#endif
#ifdef PARAPIPE_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace parapipe::detail {

inline void tsan_release([[maybe_unused]] void* p) {
#ifdef PARAPIPE_TSAN
    __tsan_release(p);
#endif
}
inline void tsan_acquire([[maybe_unused]] void* p) {
#ifdef PARAPIPE_TSAN
    __tsan_acquire(p);
#endif
}

/// Live KeepTbbThreads objects, and whether a TbbScope left TBB's threads running for them.
inline std::atomic<int> tbb_keepers{0};
inline std::atomic<bool> tbb_threads_left{false};

/// Joins TBB's worker threads on scope exit, so that a later fork() is safe; not in an MPI
/// rank (mpi_ran_here(): there it would hang, and a rank does not fork), and not while a
/// KeepTbbThreads lives (then spawn_worker joins them before it forks).
class TbbScope {
public:
    TbbScope() : handle_(tbb::attach{}) {}
    ~TbbScope() {
        if (mpi_ran_here()) return;
        if (tbb_keepers.load() > 0) tbb_threads_left.store(true);
        else tbb::finalize(handle_, std::nothrow);
    }
    TbbScope(const TbbScope&) = delete;
    TbbScope& operator=(const TbbScope&) = delete;

private:
    tbb::task_scheduler_handle handle_;
};

/// While one lives, the parallel steps leave TBB's worker threads running when they end, so the
/// next step finds them started: the CLI holds one from a threads run to the end of writing its
/// result, which it formats on the same threads. Joining them and starting them again cost
/// about 2 ms of a 55 ms run (9 MB of text, threads x2): the join, a new thread that first
/// shared its parent's core, and oneTBB's start-up. The fork modes join them before they fork
/// (join_threads_left_running), so holding one never makes a fork unsafe.
class KeepTbbThreads {
public:
    KeepTbbThreads() { ++tbb_keepers; }
    ~KeepTbbThreads() { --tbb_keepers; }
    KeepTbbThreads(const KeepTbbThreads&) = delete;
    KeepTbbThreads& operator=(const KeepTbbThreads&) = delete;
};

/// Joins TBB's worker threads if a TbbScope left them running (KeepTbbThreads); spawn_worker
/// calls it before every fork.
inline void join_threads_left_running() {
    if (!tbb_threads_left.exchange(false) || mpi_ran_here()) return;
    tbb::task_scheduler_handle handle(tbb::attach{});
    tbb::finalize(handle, std::nothrow);
}

/// f(i) for i in [0, n): on par.workers threads of the caller's oneTBB arena when more than
/// one, else in order on the calling thread. Each f(i) must touch its own data only.
/// Serial under ThreadSanitizer: tbb::parallel_for's task objects are written in the inlined
/// header code and read inside the uninstrumented libtbb, which TSan reports as races on
/// oneTBB's own fields (the parallel_pipelines of the threads executor have no such objects).
template <class F>
void parallel_for_n(std::size_t n, const Parallelism& par, F&& f) {
#ifndef PARAPIPE_TSAN
    if (par.workers > 1 && n > 1) {
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
        });
        return;
    }
#endif
    for (std::size_t i = 0; i < n; ++i) f(i);
}

/// std::sort, or oneTBB's in-place parallel sort when the caller lends more than one thread.
/// (Serial under ThreadSanitizer, which cannot see inside libtbb.)
template <class It, class Less>
void parallel_sort(It first, It last, Less less, const Parallelism& par) {
#ifndef PARAPIPE_TSAN
    if (par.workers > 1) {
        tbb::parallel_sort(first, last, less);
        return;
    }
#endif
    std::sort(first, last, less);
}

/// f(Parallelism{workers}) inside a oneTBB arena of `workers` threads, which are joined again
/// before returning (TbbScope, unless a KeepTbbThreads lives), so the caller may fork
/// afterwards. With one worker f runs on the calling thread and TBB is not started. For the
/// fork modes' coordinators, once their workers have exited.
template <class F>
auto with_arena(unsigned workers, F&& f) {
    if (workers <= 1) return f(Parallelism{1});
    TbbScope scope;
    using R = decltype(f(Parallelism{workers}));
    std::optional<R> out;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, workers);
        tbb::task_arena arena(static_cast<int>(workers));
        arena.execute([&] { out.emplace(f(Parallelism{workers})); });
    }
    return std::move(*out);
}

/// Merges every partial and finalizes: Plan::merge_finalize when the plan has it (a keyed
/// reduction merges its partitions on par.workers threads), else one merge after another.
template <class P, class R>
R finish(const Plan<P, R>& plan, std::vector<P>&& parts, const Parallelism& par) {
    if (plan.merge_finalize) return plan.merge_finalize(std::move(parts), par);
    if (parts.empty()) return plan.finalize(plan.init());
    P total = std::move(parts[0]);
    for (std::size_t i = 1; i < parts.size(); ++i) plan.merge(total, std::move(parts[i]));
    parts.clear();
    return plan.finalize(std::move(total));
}

}  // namespace parapipe::detail
