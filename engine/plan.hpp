#pragma once
// The plan: what every executor sees. A plan knows nothing of modes, and an executor
// knows nothing of operators: chunks are indices, the work is a set of functions.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace parapipe {

class SpillFolder;  // engine/spill/folder.hpp

/// What an executor offers a plan before it starts. It describes capabilities, not the mode,
/// so a plan works unchanged under a mode added later.
struct RunContext {
    unsigned workers = 1;
    /// Chunks may run at the same time (every mode but seq).
    bool concurrent = false;
    /// Chunks run in forked worker processes: what they write to ordinary memory stays there.
    bool forked = false;
    /// Allocates `bytes` (zeroed) that workers may write and the coordinator reads afterwards:
    /// the heap in-process, the shared segment when forked. Empty when no such memory exists:
    /// results must then travel back in the partial.
    std::function<void*(std::size_t bytes)> shared_alloc;
};

/// What a streamed plan's next_window sees: the run's cancel flag (a blocked read must stop when
/// it is set) and progress counter (a stream has no known size: bytes are counted as they are read).
struct WindowContext {
    const std::atomic<int>* cancel = nullptr;
    std::atomic<std::uint64_t>* progress = nullptr;
    /// 0 for a run's first window, then 1, 2, ...: a stream can be read by one run only.
    std::size_t window = 0;
};

/// The threads an executor lends a plan's merge_finalize. With workers > 1 the call runs inside
/// a oneTBB arena of that many threads, so it may use oneTBB's algorithms (engine/detail/
/// parallel.hpp has parallel_for_n and parallel_sort); with 1 it must not start TBB's threads
/// (the process may fork afterwards).
struct Parallelism {
    unsigned workers = 1;
};

/// A compiled pipeline: chunk -> partial, merge, finalize.
/// `map` folds one chunk into a partial; `merge` must be associative and commutative
/// (executors merge in any order); `finalize` turns the merged partial into the result.
template <class Partial, class Result>
struct Plan {
    using partial_type = Partial;
    using result_type = Result;

    std::size_t chunk_count = 0;
    std::function<Partial()> init = [] { return Partial{}; };
    std::function<void(std::size_t chunk, Partial&)> map;
    std::function<void(Partial& into, Partial&& from)> merge;
    std::function<Result(Partial&&)> finalize;

    /// Weight of a chunk for progress (bytes or pixels); optional.
    std::function<std::uint64_t(std::size_t)> chunk_weight;
    /// One line naming a chunk in errors ("a.txt bytes [0, 8388608)"); optional.
    std::function<std::string(std::size_t)> describe_chunk;
    /// Called once in the coordinator before work starts (before fork in process modes).
    std::function<void(const RunContext&)> prepare;
    /// Called in each forked worker before its first chunk (e.g. cv::setNumThreads(1)).
    std::function<void()> worker_init;
    /// Called after a chunk is done, to release its resources (e.g. mapped pages); optional.
    std::function<void(std::size_t)> release;
    /// Empties a partial for the next chunk, keeping its memory (a hash table's index and arena),
    /// so a worker that folds each chunk into its own partial does not grow one from nothing per
    /// chunk; optional (else the worker takes a fresh init()).
    std::function<void(Partial&)> reset;
    /// Merges a partial given serialized (engine/serialize.hpp) into `into`, key by key, without
    /// building it first: the coordinator of Mode::processes decodes each chunk's reply this way.
    /// Optional (else deserialize into init(), then merge). Throws Error on truncated bytes.
    std::function<void(Partial& into, const char* bytes, std::size_t n)> merge_serialized;
    /// Set for an input read as a stream (stdin, a FIFO): the run is then a sequence of windows.
    /// Each call readies the next window of the input and returns its chunk count (0: the input is
    /// exhausted); chunk_count is ignored. run() (engine/run.hpp) runs each window like a plan of
    /// its own in the chosen mode (forked workers are forked per window, and inherit it), merges
    /// the windows' partials, and finalizes once. Called in the coordinator only, while no chunk
    /// runs. Mode::mpi refuses such a plan. Optional.
    std::function<std::size_t(const WindowContext&)> next_window;
    /// Merges every worker's partial at once and finalizes, using the lent threads: a keyed
    /// reduction merges partition p of all partials as one task per partition and sorts its
    /// result in parallel. Optional (else merge one partial after another, then finalize); must
    /// give the same result as that.
    std::function<Result(std::vector<Partial>&& parts, const Parallelism&)> merge_finalize;

    /// Spilling under RunOptions::memory_limit (a keyed reduction sets all three; optional).
    /// Bytes a partial holds; executors check it after each chunk or merge.
    std::function<std::size_t(const Partial&)> memory_of;
    /// Writes the partial's keys as one sorted run into the folder and empties them (its other
    /// fields, e.g. counters, stay).
    std::function<void(Partial&, SpillFolder&)> spill;
    /// Instead of merge_finalize when the folder holds runs: spills `parts` too, merges every run
    /// and finalizes. The result may keep the folder (a result streamed from disk).
    std::function<Result(std::vector<Partial>&& parts, const Parallelism&, std::shared_ptr<SpillFolder>)>
        finalize_spilled;

    std::string describe(std::size_t chunk) const {
        return describe_chunk ? describe_chunk(chunk) : "chunk " + std::to_string(chunk);
    }
    std::uint64_t weight(std::size_t chunk) const { return chunk_weight ? chunk_weight(chunk) : 1; }
};

/// The same plan with its result passed through f: Plan<P, f(R)>. Partials are untouched, so the
/// plan runs in the same modes.
template <class P, class R, class F>
auto then(Plan<P, R> plan, F f) {
    using R2 = std::invoke_result_t<F&, R&&>;
    Plan<P, R2> out;
    out.chunk_count = plan.chunk_count;
    out.init = std::move(plan.init);
    out.map = std::move(plan.map);
    out.merge = std::move(plan.merge);
    out.finalize = [fin = std::move(plan.finalize), f](P&& p) mutable { return f(fin(std::move(p))); };
    out.chunk_weight = std::move(plan.chunk_weight);
    out.describe_chunk = std::move(plan.describe_chunk);
    out.prepare = std::move(plan.prepare);
    out.worker_init = std::move(plan.worker_init);
    out.release = std::move(plan.release);
    out.reset = std::move(plan.reset);
    out.merge_serialized = std::move(plan.merge_serialized);
    out.next_window = std::move(plan.next_window);
    out.memory_of = std::move(plan.memory_of);
    out.spill = std::move(plan.spill);
    if (plan.finalize_spilled)
        out.finalize_spilled = [fs = std::move(plan.finalize_spilled), f](std::vector<P>&& parts, const Parallelism& par,
                                                                          std::shared_ptr<SpillFolder> folder) mutable {
            return f(fs(std::move(parts), par, std::move(folder)));
        };
    if (plan.merge_finalize)
        out.merge_finalize = [mf = std::move(plan.merge_finalize), f = std::move(f)](std::vector<P>&& parts, const Parallelism& par) mutable {
            return f(mf(std::move(parts), par));
        };
    return out;
}

}  // namespace parapipe
