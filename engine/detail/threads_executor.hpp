#pragma once
// Mode::threads — a oneTBB parallel_pipeline: a serial stage hands out chunk indices, a
// parallel stage folds each chunk into its thread's partial. At most workers × in_flight
// chunks are live, so memory stays flat however many chunks there are. The threads' partials
// are merged at the end in the same arena (Plan::merge_finalize: a keyed reduction merges its
// partitions as parallel tasks, then sorts in parallel). TBB's worker threads are shut down
// before returning, so the process may fork afterwards (Mode::processes, Mode::shm), except
// after a Mode::mpi run, and while a KeepTbbThreads lives (TbbScope: the fork modes then join
// them before they fork).
#include <atomic>
#include <optional>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/detail/spill_check.hpp>

namespace parapipe::detail {

template <class P, class R>
R run_threads(const Plan<P, R>& plan, const RunOptions& opt) {
    std::vector<std::unique_ptr<char[]>> owned;
    if (plan.prepare) plan.prepare(heap_context(opt, owned));
    const unsigned workers = opt.workers ? opt.workers : 1;
    const Spiller<P, R> spill(plan, opt, workers);
    TbbScope scope;
    std::optional<R> result;
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
                        spill.check(*local);
                        add_progress(opt, plan.weight(i));
                    }));
        });
        tsan_acquire(&tsan_out);
        std::vector<P> parts;
        for (auto& local : locals)
            if (local) parts.push_back(std::move(*local));
        locals.clear();
        arena.execute([&] { result.emplace(spill.finish(std::move(parts), Parallelism{workers})); });
    }
    return std::move(*result);
}

}  // namespace parapipe::detail
