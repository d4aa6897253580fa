#pragma once
// The workloads `parapipe bench wordcount|image|all` measure, as command tables for the generic
// runner: `parapipe run PIPELINE` with {mode}/{workers}(/{chunk}), and with --baselines the
// reference programs (`parapipe bench-baseline ...`, the Python Pool script) as rows without {mode}.
// Building one prepares its input: the user's paths, or the cached generated corpus.
#include <string>

#include "cli/bench/command_spec.hpp"
#include "cli/bench/settings.hpp"

namespace parapipe::cli::bench {

/// Word count over --input or the generated text; `scratch` takes the Python script.
Workload wordcount_workload(const Settings& s, const std::string& scratch);

/// The start-up of `parapipe run wordcount` on an empty file beside `python3 -c pass`: a program
/// that starts slowly pays it in every run (the empty file goes to `scratch`).
Workload startup_workload(const Settings& s, const std::string& scratch);
/// Batch image processing over --input or the synthetic PNGs; outputs go to a folder in
/// `scratch`. Throws UsageError for a bad --ops before any image is made.
Workload image_workload(const Settings& s, const std::string& scratch);

}  // namespace parapipe::cli::bench
