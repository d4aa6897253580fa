#pragma once
// How to run a plan: mode, parallelism, retries, progress and cancellation.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include <parapipe/engine/mode.hpp>

namespace parapipe {

/// The most workers a run accepts: beyond it, threads or forks fail halfway (pthread_create,
/// fork: EAGAIN) and shm reserves a region per worker.
inline constexpr unsigned max_workers = 1024;

/// Options for one run. Plain data; copy freely.
struct RunOptions {
    Mode mode = Mode::seq;
    unsigned workers = 1;       ///< threads (threads mode) or worker processes (process modes)
    unsigned max_attempts = 3;  ///< process modes: tries per chunk before the run fails
    /// Chunks in flight per worker in threads mode; bounds memory whatever the input size.
    unsigned in_flight_per_worker = 2;
    /// Mode::shm: bytes reserved per worker for its partial at first (0: 16 MiB). A partial
    /// that does not fit grows its region once every worker has stopped; tests set it small.
    std::size_t shm_region_bytes = 0;
    /// Optional: executors add the weight (bytes, pixels) of every finished chunk here.
    std::atomic<std::uint64_t>* progress = nullptr;
    /// Optional: when it becomes non-zero (a signal number), the run stops and throws Interrupted.
    const std::atomic<int>* cancel = nullptr;
};

}  // namespace parapipe
