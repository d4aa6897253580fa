#pragma once
// The plan: what every executor sees. A plan knows nothing of modes, and an executor
// knows nothing of operators: chunks are indices, the work is a set of functions.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/mode.hpp"

namespace parapipe {

/// What an executor offers a plan before it starts: where to put memory that workers of
/// every mode can write and the coordinator can read (heap for seq/threads, the shared
/// segment for shm). Process-mode workers cannot write into it visibly: plans that need
/// results back in that mode must return them in their partial.
struct RunContext {
    Mode mode = Mode::seq;
    unsigned workers = 1;
    /// Allocates `bytes` visible to the coordinator after workers write it; zeroed.
    std::function<void*(std::size_t bytes)> shared_alloc;
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

    std::string describe(std::size_t chunk) const {
        return describe_chunk ? describe_chunk(chunk) : "chunk " + std::to_string(chunk);
    }
    std::uint64_t weight(std::size_t chunk) const { return chunk_weight ? chunk_weight(chunk) : 1; }
};

}  // namespace parapipe
