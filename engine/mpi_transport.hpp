#pragma once
// The seam between the engine (templates, no MPI header) and the MPI library target
// parapipe::mpi (mpi/transport.cpp, compiled against Open MPI). The engine type-erases a plan
// into an MpiJob of byte-level callbacks; the transport moves the bytes between ranks. Linking
// parapipe::mpi registers the transport before main() runs; without it, Mode::mpi is a
// UsageError naming the missing library. So library users who do not want MPI never link it.
//
//   if (parapipe::mpi_rank() == 0) write_output(result);   // rank 0 alone writes output
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <parapipe/engine/errors.hpp>

namespace parapipe {

/// Figures of the last mpi run, as seen on the output rank (for --stats).
struct MpiStats {
    int ranks = 0;
    /// Bytes this rank sent to other ranks in the keyed all-to-all, the largest over ranks and
    /// the sum over ranks (0 for a non-keyed reduction).
    std::uint64_t alltoall_bytes_max = 0;
    std::uint64_t alltoall_bytes_total = 0;
    /// Bytes sent towards the output rank in the final gather or tree reduction, spilled runs
    /// included (sum over ranks).
    std::uint64_t gather_bytes_total = 0;
    /// Chunks each rank ran, smallest and largest count (dynamic balancing at work).
    std::uint64_t chunks_min = 0;
    std::uint64_t chunks_max = 0;
    /// Sorted runs the ranks spilled under a memory limit (sum over ranks); when not 0, the runs
    /// went to the output rank, which merges them (RunOptions::memory_limit).
    std::uint64_t spilled_runs = 0;
};

namespace detail {

/// A plan, type-erased for the transport. Every callback runs on the calling rank only.
struct MpiJob {
    std::size_t chunk_count = 0;
    /// Runs the chunks this rank is handed: next() gives a chunk index, or chunk_count when no
    /// chunk is left. The job folds them into this rank's partial. Calls next() from one thread
    /// at a time. Throws what a chunk throws (ChunkError naming the chunk, Interrupted).
    std::function<void(const std::function<std::size_t()>& next)> map_chunks;
    /// Keyed partials only (empty function otherwise): moves this rank's partial out into
    /// `parts` serialized partials, part i holding the keys whose stable hash % parts == i
    /// (counters go to part 0).
    std::function<std::vector<std::string>(std::size_t parts)> split;
    /// Moves this rank's partial out, serialized (engine/serialize.hpp).
    std::function<std::string()> take;
    /// Deserializes a partial and merges it into this rank's partial.
    std::function<void(const char* data, std::size_t size)> merge;

    /// Under a memory limit, for partials that spill (empty functions otherwise). When any rank
    /// has spilled, the keyed exchange is skipped: every rank spills the rest of its keys, and
    /// the runs travel to rank 0 in pieces, which writes them into its own folder (ranks may be
    /// on other hosts: bytes move, never paths); the partials, their keys gone, then carry only
    /// their counters.
    /// Sorted runs this rank has spilled so far.
    std::function<std::uint64_t()> spilled_runs;
    /// Spills the keys this rank still holds as one more run (the partial keeps its counters).
    std::function<void()> spill_rest;
    /// Ranks other than 0: calls send(data, size, last) for every piece of every run of this
    /// rank (`last`: the run's final piece; a piece holds at most a few MiB), removing each run
    /// once sent and the folder at the end. Throws what reading a run throws.
    std::function<void(const std::function<void(const char*, std::size_t, bool last)>& send)> send_runs;
    /// Rank 0: a piece of another rank's run; `last` completes the run, which joins this rank's.
    /// Throws Error naming the folder when it cannot be written (a full disk).
    std::function<void(const char* data, std::size_t size, bool last)> receive_run;
    /// Called before a rank leaves a failed run without returning (std::exit): removes what it
    /// wrote to disk.
    std::function<void()> discard;
};

/// What parapipe::mpi implements. Methods are called from the thread that called run().
class MpiTransport {
public:
    virtual ~MpiTransport() = default;
    /// This process's rank and the number of ranks; the first call initializes MPI (a process
    /// started without mpirun is a single rank).
    virtual int rank() = 0;
    virtual int size() = 0;
    /// Runs `job` on every rank: chunks handed out dynamically, partials reduced so that rank 0
    /// holds the whole partial afterwards. Throws on rank 0 the first failure of any rank
    /// ("rank R: ..."); the other ranks of a failed run exit without output.
    virtual MpiStats run(MpiJob& job) = 0;
};

/// The registered transport: set by parapipe::mpi when it is linked, null otherwise.
inline MpiTransport*& mpi_transport_slot() {
    static MpiTransport* transport = nullptr;
    return transport;
}

inline MpiTransport& mpi_transport() {
    MpiTransport* t = mpi_transport_slot();
    if (!t)
        throw UsageError("--mode mpi needs the parapipe::mpi library, and this program was built without it "
                         "(build parapipe with Open MPI installed: apt-get install libopenmpi-dev, and link "
                         "parapipe::mpi)");
    return *t;
}

/// Set once a Mode::mpi run has started in this process. Threads mode then keeps TBB's worker
/// threads at its end: under Open MPI, tbb::finalize was seen to wait forever for a worker
/// after an mpi run, and an MPI rank does not fork (the reason threads mode joins them).
inline std::atomic<bool>& mpi_ran_here() {
    static std::atomic<bool> ran{false};
    return ran;
}

inline MpiStats& last_mpi_stats() {
    static MpiStats stats;
    return stats;
}

}  // namespace detail

/// The rank this process has in mpi mode (0 without MPI): rank 0 alone writes output. Starts MPI
/// when parapipe::mpi is linked and the process runs under mpirun; throws UsageError when
/// parapipe::mpi is not linked.
inline int mpi_rank() { return detail::mpi_transport().rank(); }

/// The rank of this process as mpirun (Open MPI, PMIx, Slurm) announces it in the environment,
/// without starting MPI; 0 when not started by a launcher.
inline int launcher_rank() {
    for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"})
        if (const char* v = std::getenv(name)) return std::atoi(v);
    return 0;
}

/// Figures of the last Mode::mpi run in this process (valid on rank 0).
inline const MpiStats& mpi_stats() { return detail::last_mpi_stats(); }

}  // namespace parapipe
