#include "cli/command.hpp"

#include <unistd.h>

#include <cstdio>
#include <thread>

#include "cli/validators.hpp"
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/mpi_transport.hpp>

namespace parapipe::cli {

std::atomic<int> g_cancel{0};

unsigned default_workers() { return std::max(1u, std::thread::hardware_concurrency()); }

std::size_t default_memory_limit() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page) / 2 : 0;
}

void CommonRunOptions::add_to(CLI::App& cmd) {
    cmd.add_option("--mode,-m", mode, "Execution mode")
        ->check(choice({"seq", "threads", "processes", "shm", "mpi"}))
        ->capture_default_str();
    cmd.add_option("--workers,-w,-j", workers, "Threads or worker processes (default: one per core); mpi: threads per rank")
        ->check(whole_number(1, max_workers))
        ->capture_default_str();
    cmd.add_option("--max-attempts", max_attempts, "Process modes: tries per chunk before the run fails")
        ->check(whole_number(1, 100))
        ->capture_default_str();
    cmd.add_option("--chunk-timeout", chunk_timeout,
                   "Process modes: seconds a worker may spend on one chunk before it is killed and the chunk "
                   "retried (0: the larger of 60 s and 20 times the median chunk)")
        ->check(CLI::Range(0.0, 1e9))
        ->capture_default_str();
    cmd.add_option("--progress", progress, "Progress line on stderr (auto: when it is a terminal)")
        ->check(choice({"auto", "always", "never"}))
        ->capture_default_str();
    cmd.add_flag("--hidden", hidden,
                 "Also read hidden files and folders (names starting with '.'); skipped by default");
    auto* st = cmd.add_flag("--stats", stats, "Print figures of the run (bytes, time, throughput, mode) to stderr");
    cmd.add_flag("--quiet,-q", quiet, "Print nothing on stderr but errors (no progress, notes or warnings)")
        ->excludes(st);
}

RunOptions CommonRunOptions::resolve() const {
    RunOptions o;
    auto m = parse_mode(mode);
    if (!m) throw UsageError("unknown mode '" + mode + "' (choose seq, threads, processes, shm or mpi)");
    o.mode = *m;
    if (workers == 0) throw UsageError("--workers must be at least 1");
    if (workers > max_workers)
        throw UsageError("--workers " + std::to_string(workers) + " is more than the limit of " +
                         std::to_string(max_workers));
    o.workers = workers;
    if (max_attempts == 0) throw UsageError("--max-attempts must be at least 1");
    o.max_attempts = max_attempts;
    o.chunk_timeout = chunk_timeout;
    progress_when();
    return o;
}

void print_mpi_stats() {
    const MpiStats& s = mpi_stats();
    std::fprintf(stderr, "mpi ranks %d  chunks_per_rank %llu-%llu  alltoall_sent_max %llu B  alltoall_sent_total %llu B  "
                         "to_rank0_total %llu B\n",
                 s.ranks, static_cast<unsigned long long>(s.chunks_min), static_cast<unsigned long long>(s.chunks_max),
                 static_cast<unsigned long long>(s.alltoall_bytes_max),
                 static_cast<unsigned long long>(s.alltoall_bytes_total),
                 static_cast<unsigned long long>(s.gather_bytes_total));
}

unsigned workers_used(const RunOptions& o) { return o.mode == Mode::seq ? 1 : o.workers; }

ProgressWhen CommonRunOptions::progress_when() const {
    if (quiet) return ProgressWhen::never;
    if (progress == "auto") return ProgressWhen::auto_;
    if (progress == "always") return ProgressWhen::always;
    if (progress == "never") return ProgressWhen::never;
    throw UsageError("unknown --progress '" + progress + "' (choose auto, always or never)");
}

}  // namespace parapipe::cli
