#pragma once
// One `parapipe bench` invocation from start to end, whatever it measures: checks the report
// files can be written, makes a scratch folder, builds the workloads, measures every row with one
// progress line, prints a table per workload, writes JSON, CSV and the chart, and turns a row
// that differs from its reference into exit 1.
#include <functional>
#include <string>
#include <vector>

#include "cli/bench/command_spec.hpp"
#include "cli/bench/settings.hpp"

namespace parapipe::cli::bench {

/// Builds the workloads to measure, given the scratch folder of this invocation (removed at the
/// end) for the outputs of runs. Runs before any measurement: input generation happens here.
using MakeWorkloads = std::function<std::vector<Workload>(const std::string& scratch)>;

/// Returns the exit code; throws UsageError, Error or Interrupted like any command.
int run_session(const Settings& s, const MakeWorkloads& make);

}  // namespace parapipe::cli::bench
