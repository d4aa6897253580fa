#pragma once
// The default chunk size of text inputs, when the user gives none: small enough that an input of
// 1 MiB or more makes at least 4 chunks per worker (so a few MB run in parallel and the last
// chunks even out), never more than 8 MiB (each chunk's partial stays small and progress moves).
// Below 1 MiB the input is one chunk per 8 MiB, as splitting it would cost more than it gains.
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <parapipe/engine/walk.hpp>

namespace parapipe {

inline constexpr std::size_t max_default_chunk_size = std::size_t{8} << 20;
inline constexpr std::uint64_t split_small_inputs_from = std::uint64_t{1} << 20;
inline constexpr unsigned default_chunks_per_worker = 4;

/// total_bytes / (4 x workers), at most 8 MiB; 8 MiB for inputs under 1 MiB.
constexpr std::size_t default_chunk_size(std::uint64_t total_bytes, unsigned workers) {
    if (total_bytes < split_small_inputs_from) return max_default_chunk_size;
    const std::uint64_t per = total_bytes / (std::uint64_t{default_chunks_per_worker} * std::max(1u, workers));
    return static_cast<std::size_t>(std::clamp<std::uint64_t>(per, 1, max_default_chunk_size));
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
inline std::size_t default_chunk_size(const std::vector<std::string>& paths, unsigned workers,
                                      const WalkOptions& walk_options = {}) {
    return default_chunk_size(input_bytes(paths, walk_options), workers);
}

}  // namespace parapipe
