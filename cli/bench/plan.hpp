#pragma once
// Expands a workload's command templates into the rows of its table: per chunk size (when the
// template holds {chunk}), seq once with 1 worker, every other mode at every worker count; a
// baseline (no {mode}) once, or per worker count, at the first chunk size. The first row is the
// reference: seq at the first chunk size, added even when --modes leaves seq out.
#include <string>
#include <vector>

#include "cli/bench/command_spec.hpp"
#include "cli/bench/report.hpp"
#include "cli/bench/settings.hpp"

namespace parapipe::cli::bench {

struct PlannedRow {
    Config config;
    std::vector<std::string> argv;  ///< placeholders filled in
    const CommandSpec* spec;        ///< points into the workload the plan was made from
};

struct Plan {
    std::vector<PlannedRow> rows;
    bool seq_added = false;  ///< seq was not asked for but runs as the reference
};

Plan plan_rows(const Workload& w, const Settings& s);

}  // namespace parapipe::cli::bench
