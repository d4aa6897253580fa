#pragma once
// Mode::threads — one loop per worker, on a oneTBB arena of that many threads: each folds the
// chunks it takes into a partial of its own. A worker takes its chunks from a contiguous share
// of them, then helps the others (ChunkShares): one chunk per worker is live, so memory stays
// flat however many chunks there are. The workers' partials are merged at the end in the same
// arena (Plan::merge_finalize: a keyed reduction merges its partitions as parallel tasks, then
// sorts in parallel). TBB's worker threads are shut down before returning, so the process may
// fork afterwards (Mode::processes, Mode::shm), except after a Mode::mpi run, and while a
// KeepTbbThreads lives (TbbScope: the fork modes then join them before they fork).
#include <atomic>
#include <optional>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <parapipe/engine/detail/chunk_call.hpp>
#include <parapipe/engine/detail/chunk_shares.hpp>
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
        // Declared before after_all, so destroyed after it: when a chunk throws, the workers'
        // partials are destroyed on this thread after every chunk (TSan).
        std::vector<ChunkShares::Word> share_words(workers);
        ChunkShares shares(share_words.data(), workers, plan.chunk_count);
        std::vector<std::optional<P>> locals(workers);
        // TSan (see the top): the caller's state happens before every chunk, every chunk happens
        // before the caller goes on (also when unwinding from an exception). Two chunks get no
        // edge between them, so races between chunks stay visible.
        char tsan_in = 0, tsan_out = 0;
        struct ChunkEdges {
            void* out;
            ChunkEdges(void* in, void* o) : out(o) { tsan_acquire(in); }
            ~ChunkEdges() { tsan_release(out); }
        };
        struct AfterAll {
            void* at;
            ~AfterAll() { tsan_acquire(at); }
        } after_all{&tsan_out};
        std::atomic<bool> failed{false};  // a chunk threw: the other workers stop taking chunks
        const auto work = [&](unsigned w) {
            try {
                while (!failed.load(std::memory_order_relaxed)) {
                    ChunkEdges edges(&tsan_in, &tsan_out);
                    check_cancel(opt);
                    const std::optional<std::size_t> i = shares.next(w);
                    if (!i) return;
                    if (!locals[w]) locals[w].emplace(plan.init());
                    run_chunk(plan, *i, *locals[w]);
                    spill.check(*locals[w]);
                    add_progress(opt, plan.weight(*i));
                }
            } catch (...) {
                failed.store(true, std::memory_order_relaxed);
                throw;
            }
        };
        // A pipeline of one item per worker: the parallel stage runs that worker's loop. Not a
        // task_group or parallel_for: their task objects, written in inlined header code and run
        // inside the uninstrumented libtbb, show to TSan as races on oneTBB's own fields. The
        // pipeline rethrows the first error once every loop has returned.
        std::atomic<unsigned> next_worker{0};  // serial stage only; atomic so TSan sees the order
        tsan_release(&tsan_in);
        arena.execute([&] {
            tbb::parallel_pipeline(
                workers,
                tbb::make_filter<void, unsigned>(tbb::filter_mode::serial_in_order,
                                                 [&](tbb::flow_control& fc) -> unsigned {
                                                     const unsigned w = next_worker.load(std::memory_order_relaxed);
                                                     if (w >= workers) {
                                                         fc.stop();
                                                         return 0;
                                                     }
                                                     next_worker.store(w + 1, std::memory_order_relaxed);
                                                     return w;
                                                 }) &
                    tbb::make_filter<unsigned, void>(tbb::filter_mode::parallel, [&](unsigned w) { work(w); }));
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
