#pragma once
// The image workload of `parapipe bench`: `parapipe run image` over a batch of synthetic images
// in every mode and worker count, plus (with --baselines) a sequential OpenCV loop.
#include "cli/bench/report.hpp"
#include "cli/bench/runner.hpp"
#include "cli/bench/settings.hpp"

namespace parapipe::cli::bench {

/// How many runs bench_image will make (for the progress bar).
unsigned image_run_count(const Settings& s);

/// The images to measure: the user's paths or the cached synthetic PNGs (made now if needed);
/// fills inputs, pixel count and description. Throws UsageError for a bad --ops.
void prepare_image_input(const Settings& s, WorkloadReport& w);

/// Measures every configuration (batch mode); fills w.rows, w.notes and the comparison with seq.
void bench_image(const Settings& s, Runner& runner, WorkloadReport& w);

}  // namespace parapipe::cli::bench
