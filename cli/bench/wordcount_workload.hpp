#pragma once
// The word-count workload of `parapipe bench`: `parapipe run wordcount` in every requested mode,
// worker count and chunk size, plus (with --baselines) the plain C++ word count and the Python
// multiprocessing.Pool script, all on the same input, all checked against seq.
#include "cli/bench/report.hpp"
#include "cli/bench/runner.hpp"
#include "cli/bench/settings.hpp"

namespace parapipe::cli::bench {

/// How many runs bench_wordcount will make (for the progress bar).
unsigned wordcount_run_count(const Settings& s);

/// The input to measure: the user's paths or the cached generated corpus (generated now if
/// needed). Call before wordcount_run_count's runs start; fills inputs and description.
void prepare_wordcount_input(const Settings& s, WorkloadReport& w);

/// Measures every configuration; fills w.rows, w.notes and the comparison with the reference.
void bench_wordcount(const Settings& s, Runner& runner, WorkloadReport& w);

}  // namespace parapipe::cli::bench
