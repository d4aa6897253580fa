#pragma once
// Runs one chunk of a plan, turning an operator's exception into a ChunkError that names
// the chunk and keeps the operator's message. Used by every executor.
#include <exception>
#include <memory>
#include <vector>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/options.hpp>
#include <parapipe/engine/plan.hpp>

namespace parapipe::detail {

template <class P, class R>
void run_chunk(const Plan<P, R>& plan, std::size_t chunk, P& partial) {
    try {
        plan.map(chunk, partial);
    } catch (const Interrupted&) {
        throw;
    } catch (const std::exception& e) {
        throw ChunkError(plan.describe(chunk) + ": " + e.what());
    }
    if (plan.release) plan.release(chunk);
}

inline void check_cancel(const RunOptions& opt) {
    if (opt.cancel) {
        if (int sig = opt.cancel->load(std::memory_order_relaxed)) throw Interrupted(sig);
    }
}

inline void add_progress(const RunOptions& opt, std::uint64_t w) {
    if (opt.progress) opt.progress->fetch_add(w, std::memory_order_relaxed);
}

/// The context of an in-process run (seq, threads): shared memory is simply the heap.
inline RunContext heap_context(const RunOptions& opt, std::vector<std::unique_ptr<char[]>>& owned) {
    RunContext ctx;
    ctx.workers = opt.workers;
    ctx.concurrent = opt.mode != Mode::seq;
    ctx.shared_alloc = [&owned](std::size_t n) -> void* {
        owned.push_back(std::make_unique<char[]>(n));  // value-initialized: zeroed
        return owned.back().get();
    };
    return ctx;
}

}  // namespace parapipe::detail
