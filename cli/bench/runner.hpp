#pragma once
// Measures configurations: each runs once to warm up (page cache, lazy binding) and then
// `repeat` times, as a child process (child_run.hpp). The runner records every wall time, the
// largest peak memory, and a hash of the output, and insists that repeats agree with each other.
// Not thread-safe.
#include <string>
#include <vector>

#include "cli/bench/bench_progress.hpp"
#include "cli/bench/command_spec.hpp"
#include "cli/bench/plan.hpp"
#include "cli/bench/report.hpp"

namespace parapipe::cli::bench {

class Runner {
public:
    /// Stdout and stderr of runs go to files in `work_dir` (overwritten run after run).
    Runner(std::string work_dir, unsigned warmup, unsigned repeat, BenchProgress& progress);

    /// Runs `argv` warmup + repeat times. The output hashed is stdout, or `output_path` when
    /// given: a file or folder the command writes, removed before every run (a folder is made
    /// anew and empty when `output_is_folder`) so that a stale one never passes for a result.
    /// Throws Error when a run fails, writes no output, or two repeats disagree.
    Measurement measure(const Config& config, const std::vector<std::string>& argv,
                        const std::string& output_path = {}, bool output_is_folder = false);

    unsigned runs_per_config() const { return warmup_ + repeat_; }

private:
    std::string work_dir_;
    unsigned warmup_, repeat_;
    BenchProgress& progress_;
};

/// Measures every row of `plan` (made from `w`) and compares each with the first row.
WorkloadReport measure_workload(const Workload& w, const Plan& plan, Runner& runner);

/// Fills speedup and matches_reference of every row from the row at `reference`, and the
/// throughput from `work` (units per run) and `scale` (units per displayed unit: 1e6 for MB).
void compare_with_reference(WorkloadReport& w, std::size_t reference, double scale);

/// The label of a row in progress lines and errors: "threads, 2 workers, 8MiB".
std::string describe(const Config& c);

}  // namespace parapipe::cli::bench
