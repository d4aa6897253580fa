#pragma once
// Mode::threads — a oneTBB parallel_pipeline: a serial stage hands out chunk indices, a
// parallel stage folds each chunk into its thread's partial. At most workers × in_flight
// chunks are live, so memory stays flat however many chunks there are. The partials are
// merged at the end. TBB's worker threads are shut down before returning, so the process
// may fork afterwards (Mode::processes, Mode::shm).
#include <optional>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include "engine/detail/chunk_call.hpp"

namespace parapipe::detail {

/// Joins TBB's worker threads on scope exit, so that a later fork() is safe.
class TbbScope {
public:
    TbbScope() : handle_(tbb::attach{}) {}
    ~TbbScope() { tbb::finalize(handle_, std::nothrow); }
    TbbScope(const TbbScope&) = delete;
    TbbScope& operator=(const TbbScope&) = delete;

private:
    tbb::task_scheduler_handle handle_;
};

template <class P, class R>
R run_threads(const Plan<P, R>& plan, const RunOptions& opt) {
    std::vector<std::unique_ptr<char[]>> owned;
    if (plan.prepare) plan.prepare(heap_context<P, R>(opt, owned));
    const unsigned workers = opt.workers ? opt.workers : 1;
    TbbScope scope;
    std::optional<P> total;
    {
        tbb::global_control limit(tbb::global_control::max_allowed_parallelism, workers);
        tbb::task_arena arena(static_cast<int>(workers));
        tbb::enumerable_thread_specific<std::optional<P>> locals;
        arena.execute([&] {
            std::size_t next = 0;
            tbb::parallel_pipeline(
                std::size_t{workers} * std::max(1u, opt.in_flight_per_worker),
                tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                                   [&](tbb::flow_control& fc) -> std::size_t {
                                                       check_cancel(opt);
                                                       if (next >= plan.chunk_count) {
                                                           fc.stop();
                                                           return 0;
                                                       }
                                                       return next++;
                                                   }) &
                    tbb::make_filter<std::size_t, void>(tbb::filter_mode::parallel, [&](std::size_t i) {
                        auto& local = locals.local();
                        if (!local) local.emplace(plan.init());
                        run_chunk(plan, i, *local);
                        add_progress(opt, plan.weight(i));
                    }));
        });
        for (auto& local : locals) {
            if (!local) continue;
            if (!total) total.emplace(std::move(*local));
            else plan.merge(*total, std::move(*local));
        }
    }
    return plan.finalize(total ? std::move(*total) : plan.init());
}

}  // namespace parapipe::detail
