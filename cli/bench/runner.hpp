#pragma once
// Measures configurations as child processes (child_run.hpp): each runs `warmup` times (page
// cache, lazy binding) and then `repeat` times. The runs of a workload's rows are interleaved,
// round by round (every row's first run, then every row's second, ...), so that a machine
// whose speed drifts over minutes, as a shared VM's does, slows every row alike instead of
// whichever rows ran in its slow minute. The runner records every wall time, the largest peak
// memory, and a hash of the output, and insists that repeats agree with each other.
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

    /// Runs `m.argv` once and adds the run to `m` (its wall time only when not `warm`). The
    /// output hashed is stdout, or `output_path` when given: a file or folder the command
    /// writes, removed before every run (a folder is made anew and empty when
    /// `output_is_folder`) so that a stale one never passes for a result. `label` names the run
    /// in the progress line. Throws Error when the run fails, writes no output, or its output
    /// differs from an earlier run's of `m`.
    void run_once(Measurement& m, const std::string& output_path, bool output_is_folder, bool warm,
                  const std::string& label);

    unsigned warmup() const { return warmup_; }
    unsigned repeat() const { return repeat_; }

private:
    std::string work_dir_;
    unsigned warmup_, repeat_;
    BenchProgress& progress_;
};

/// Measures every row of `plan` (made from `w`), warm-ups first, then the timed runs round by
/// round, and compares each row with the first.
WorkloadReport measure_workload(const Workload& w, const Plan& plan, Runner& runner);

/// Fills speedup and matches_reference of every row from the row at `reference`, and the
/// throughput from `work` (units per run) and `scale` (units per displayed unit: 1e6 for MB).
void compare_with_reference(WorkloadReport& w, std::size_t reference, double scale);

/// Sets `m.median_seconds` from its wall times.
void set_median(Measurement& m);

/// The label of a row in progress lines and errors: "threads, 2 workers, 8MiB".
std::string describe(const Config& c);

}  // namespace parapipe::cli::bench
