#pragma once
// What `parapipe bench` measured: plain data shared by the runner and the writers (table,
// JSON, CSV, chart). One WorkloadReport per workload, one Measurement per table row.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/bench/machine.hpp"

namespace parapipe::cli::bench {

/// One table row: a parapipe mode at a worker count and chunk size, or a baseline.
struct Config {
    std::string name;               ///< "seq", "threads", ... or "C++ baseline", "Python Pool", "command"
    bool baseline = false;          ///< a reference program (C++, Python, OpenCV), not parapipe
    unsigned workers = 1;           ///< 0: not set by the command line (shown as "-")
    std::uint64_t chunk_bytes = 0;  ///< 0: not applicable
    std::string chunk_text;         ///< as the user wrote it ("8MiB"), or "-"
};

/// The figures of one row over its repeats.
struct Measurement {
    Config config;
    std::vector<std::string> argv;     ///< the command line run
    std::vector<double> wall_seconds;  ///< one per repeat (warm-up excluded)
    double median_seconds = 0;
    double throughput = 0;             ///< work units per second (MiB/s or MPix/s; 0 when the work is unknown)
    double speedup = 0;                ///< reference median / this median
    std::uint64_t max_rss_bytes = 0;   ///< largest single process of the run, max over repeats
    std::uint64_t peak_pss_bytes = 0;  ///< sampled peak of the tree's summed PSS in warm-up runs (0: none)
    std::string output_hash;           ///< FNV-1a 64 of the output, hex
    bool matches_reference = false;
};

struct WorkloadReport {
    std::string workload;              ///< "wordcount", "image" or "exec"
    std::string input_description;     ///< "generated text, 256.0 MiB, seed 42"
    std::vector<std::string> inputs;   ///< paths
    double work = 0;                   ///< units of work per run (0: unknown)
    std::string work_unit;             ///< "bytes" or "pixels"
    std::string rate_unit;             ///< "MiB/s" or "MPix/s"; "" when the work is unknown
    std::size_t reference_index = 0;   ///< the row every other is compared with (seq, 1 worker: the first)
    std::string reference;             ///< that row described ("seq, 1 worker, 8MiB")
    std::vector<Measurement> rows;
    std::vector<std::string> notes;    ///< skipped baselines and the like
    double other_load = 0;             ///< cores kept busy by other processes meanwhile (average)
};

struct Report {
    std::vector<std::string> command;  ///< the command line, for reproducing the figures
    Machine machine;
    std::string version;
    std::string date;     ///< UTC, ISO 8601
    unsigned repeat = 3;
    unsigned warmup = 1;
    std::vector<WorkloadReport> workloads;
};

}  // namespace parapipe::cli::bench
