#pragma once
// Mode::threads — a oneTBB parallel_pipeline: a serial stage hands out chunk indices, a
// parallel stage folds each chunk into its thread's partial. At most workers × in_flight
// chunks are live, so memory stays flat however many chunks there are. The partials are
// merged at the end. TBB's worker threads are shut down before returning, so the process
// may fork afterwards (Mode::processes, Mode::shm), except after a Mode::mpi run (TbbScope).
#include <atomic>
#include <optional>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/mpi_transport.hpp>

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

/// Joins TBB's worker threads on scope exit, so that a later fork() is safe; not in an MPI
/// rank (mpi_ran_here(): there it would hang, and a rank does not fork).
class TbbScope {
public:
    TbbScope() : handle_(tbb::attach{}) {}
    ~TbbScope() {
        if (!mpi_ran_here()) tbb::finalize(handle_, std::nothrow);
    }
    TbbScope(const TbbScope&) = delete;
    TbbScope& operator=(const TbbScope&) = delete;

private:
    tbb::task_scheduler_handle handle_;
};

template <class P, class R>
R run_threads(const Plan<P, R>& plan, const RunOptions& opt) {
    std::vector<std::unique_ptr<char[]>> owned;
    if (plan.prepare) plan.prepare(heap_context(opt, owned));
    const unsigned workers = opt.workers ? opt.workers : 1;
    TbbScope scope;
    std::optional<P> total;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, workers);
        tbb::task_arena arena(static_cast<int>(workers));
        tbb::enumerable_thread_specific<std::optional<P>> locals;
        // TSan (see the top): the caller's state happens before every stage call, every stage
        // call happens before the caller goes on (also when unwinding from an exception). Two
        // stage calls get no edge between them, so races between chunks stay visible.
        char tsan_in = 0, tsan_out = 0;
        struct StageEdges {
            void* out;
            StageEdges(void* in, void* o) : out(o) { tsan_acquire(in); }
            ~StageEdges() { tsan_release(out); }
        };
        struct AfterAll {
            void* at;
            ~AfterAll() { tsan_acquire(at); }
        } after_all{&tsan_out};
        std::atomic<std::size_t> next{0};  // serial stage only; atomic so TSan sees the order
        tsan_release(&tsan_in);
        arena.execute([&] {
            tbb::parallel_pipeline(
                std::size_t{workers} * std::max(1u, opt.in_flight_per_worker),
                tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                                   [&](tbb::flow_control& fc) -> std::size_t {
                                                       StageEdges edges(&tsan_in, &tsan_out);
                                                       check_cancel(opt);
                                                       const std::size_t i = next.load(std::memory_order_relaxed);
                                                       if (i >= plan.chunk_count) {
                                                           fc.stop();
                                                           return 0;
                                                       }
                                                       next.store(i + 1, std::memory_order_relaxed);
                                                       return i;
                                                   }) &
                    tbb::make_filter<std::size_t, void>(tbb::filter_mode::parallel, [&](std::size_t i) {
                        StageEdges edges(&tsan_in, &tsan_out);
                        auto& local = locals.local();
                        if (!local) local.emplace(plan.init());
                        run_chunk(plan, i, *local);
                        add_progress(opt, plan.weight(i));
                    }));
        });
        tsan_acquire(&tsan_out);
        for (auto& local : locals) {
            if (!local) continue;
            if (!total) total.emplace(std::move(*local));
            else plan.merge(*total, std::move(*local));
        }
    }
    return plan.finalize(total ? std::move(*total) : plan.init());
}

}  // namespace parapipe::detail
