#pragma once
// How to run a plan: mode, parallelism, retries, progress and cancellation.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <parapipe/engine/mode.hpp>

namespace parapipe {

class SpillFolder;  // engine/spill/folder.hpp

/// The most workers a run accepts: beyond it, threads or forks fail halfway (pthread_create,
/// fork: EAGAIN) and shm reserves a region per worker.
inline constexpr unsigned max_workers = 1024;

/// What a run did besides its result, for --stats. Filled by the process modes.
struct RunStats {
    std::atomic<std::uint64_t> backups{0};   ///< chunks started again on an idle worker (stragglers)
    std::atomic<std::uint64_t> timeouts{0};  ///< workers killed for making no progress
    std::atomic<std::uint64_t> spilled_runs{0};  ///< sorted runs merged at the end (memory_limit)
};

/// Options for one run. Plain data; copy freely.
struct RunOptions {
    Mode mode = Mode::seq;
    unsigned workers = 1;       ///< threads (threads mode) or worker processes (process modes)
    unsigned max_attempts = 3;  ///< process modes: tries per chunk before the run fails
    /// Chunks in flight per worker of each rank in mpi mode; bounds memory whatever the input size.
    unsigned in_flight_per_worker = 2;
    /// Mode::shm: bytes reserved per worker for its partial at first (0: 16 MiB). A partial
    /// that does not fit grows its region once every worker has stopped; tests set it small.
    std::size_t shm_region_bytes = 0;
    /// Process modes: seconds a worker may spend on one chunk before it is killed and the chunk
    /// retried (an attempt). 0: automatic, the larger of 60 s and 20 times the median chunk.
    double chunk_timeout = 0;
    /// Process modes: when no chunk is left to hand out, a chunk that has run 4 times the median
    /// chunk (and at least 1 s) is started again on an idle worker; the first result wins.
    bool backups = true;
    /// Optional: executors add the weight (bytes, pixels) of every finished chunk here.
    std::atomic<std::uint64_t>* progress = nullptr;
    /// Optional: when it becomes non-zero (a signal number), the run stops and throws Interrupted.
    const std::atomic<int>* cancel = nullptr;
    /// Optional: executors count backups and timeouts here.
    RunStats* stats = nullptr;
    /// Bytes the run's partials may hold, all threads and processes together (0: no limit). A
    /// keyed reduction's partial past its share spills to a sorted run in a temporary folder
    /// (engine/spill/), and the runs are merged at the end: the result is the same. Mode::mpi:
    /// the limit is for all ranks together; each rank spills to its own folder, and the runs
    /// travel to rank 0 through MPI, which merges them (engine/detail/mpi_executor.hpp).
    std::size_t memory_limit = 0;
    /// Where the spill folder goes (empty: $TMPDIR, else /tmp).
    std::string spill_parent{};
    /// Internal: the spill folder shared by the windows of a streamed run (set by run()).
    std::shared_ptr<SpillFolder> spill_folder{};
};

/// What one holder of a partial (a thread, a worker, the coordinator) may hold under
/// RunOptions::memory_limit when `holders` hold partials at once: an equal share of half the
/// limit (the other half is for the input being read, the buffers and the binary). Past it a
/// partial spills (engine/detail/spill_check.hpp); processes-mode chunks are sized by it
/// (engine/chunk_size.hpp).
constexpr std::uint64_t partial_share(std::uint64_t memory_limit, std::uint64_t holders) {
    return memory_limit / 2 / std::max<std::uint64_t>(holders, 1);
}

}  // namespace parapipe
