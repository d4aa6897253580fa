#pragma once
// The default chunk size of text inputs, when the user gives none: small enough that an input of
// 1 MiB or more makes at least 4 chunks per worker (so a few MB run in parallel and the last
// chunks even out), never more than 8 MiB (each chunk's partial stays small and progress moves).
// Below 1 MiB the input is one chunk per 8 MiB, as splitting it would cost more than it gains.
// Mode::processes takes larger chunks of large inputs: total / (8 x workers), up to 32 MiB, when
// that is more. It is the one mode that sends every chunk's partial back (serialized, through a
// pipe, merged by the coordinator), and a partial holds about all its chunk's distinct keys,
// which grow far slower than the chunk (generated text: 50k keys in 8 MiB, 54k in 32 MiB), so
// fewer chunks ship and merge far fewer records. Not fewer than 8 per worker, though: the
// coordinator waits for the first chunk's partial and merges the last one after the workers are
// done, and when every key is distinct that merging is the bottleneck (20M distinct words, 2
// workers: 10 MiB chunks as fast as 8 MiB, 20 MiB ones 26% slower). The other modes fold many
// chunks into one partial per worker, where the chunk size costs nothing of the kind. A worker
// holds its chunk's partial whole (it ships it, never spills it), up to about 6 times the chunk
// (short keys, all distinct), so under a memory limit whose share (partial_share(), over the
// workers and the coordinator, as the spilling executors divide it) cannot hold that at 32 MiB
// the usual rule stays.
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <parapipe/engine/options.hpp>
#include <parapipe/engine/walk.hpp>

namespace parapipe {

inline constexpr std::size_t max_default_chunk_size = std::size_t{8} << 20;
inline constexpr std::size_t max_default_chunk_size_processes = std::size_t{32} << 20;
inline constexpr std::uint64_t split_small_inputs_from = std::uint64_t{1} << 20;
inline constexpr unsigned default_chunks_per_worker = 4;
inline constexpr unsigned processes_chunks_per_worker = 8;
inline constexpr std::uint64_t partial_bytes_per_chunk_byte = 6;

/// Whether Mode::processes may take chunks up to 32 MiB under `memory_limit` (0: none).
constexpr bool larger_chunks_fit(unsigned workers, std::uint64_t memory_limit) {
    const std::uint64_t needed = partial_bytes_per_chunk_byte * max_default_chunk_size_processes;
    return memory_limit == 0 || partial_share(memory_limit, std::uint64_t{workers} + 1) >= needed;
}

/// total_bytes / (4 x workers), at most 8 MiB; 8 MiB for inputs under 1 MiB. In Mode::processes,
/// total_bytes / (8 x workers) when that is more, at most 32 MiB, unless `memory_limit`
/// (RunOptions::memory_limit, 0: none) leaves a worker too little for such a chunk's partial.
constexpr std::size_t default_chunk_size(std::uint64_t total_bytes, unsigned workers, Mode mode,
                                         std::uint64_t memory_limit = 0) {
    if (total_bytes < split_small_inputs_from) return max_default_chunk_size;
    workers = std::max(1u, workers);
    const std::uint64_t per = total_bytes / (std::uint64_t{default_chunks_per_worker} * workers);
    const std::uint64_t usual = std::clamp<std::uint64_t>(per, 1, max_default_chunk_size);
    if (mode != Mode::processes || !larger_chunks_fit(workers, memory_limit)) return static_cast<std::size_t>(usual);
    const std::uint64_t per_processes = total_bytes / (std::uint64_t{processes_chunks_per_worker} * workers);
    const std::uint64_t larger = std::min<std::uint64_t>(per_processes, max_default_chunk_size_processes);
    return static_cast<std::size_t>(std::max(usual, larger));
}

/// The bytes of every regular file under `paths` (as walk() finds them); others (stdin, FIFOs,
/// devices) count 0, and are only stat'ed: a stream is never opened, so this does not block.
inline std::uint64_t input_bytes(const std::vector<std::string>& paths, const WalkOptions& walk_options = {}) {
    std::uint64_t total = 0;
    for (const auto& p : walk(paths, walk_options)) {
        if (p == "-") continue;  // stdin: a stream, of unknown size (never read here)
        struct stat st {};
        if (stat_path(p, st) == 0 && S_ISREG(st.st_mode)) total += static_cast<std::uint64_t>(st.st_size);
    }
    return total;
}

/// default_chunk_size() of the files under `paths`.
inline std::size_t default_chunk_size(const std::vector<std::string>& paths, unsigned workers, Mode mode,
                                      std::uint64_t memory_limit = 0, const WalkOptions& walk_options = {}) {
    return default_chunk_size(input_bytes(paths, walk_options), workers, mode, memory_limit);
}

}  // namespace parapipe
