#pragma once
// The text table `parapipe bench` prints: one row per configuration, with the footnotes that
// say what each column measures.
#include <string>

#include "cli/bench/report.hpp"

namespace parapipe::cli::bench {

/// The table of one workload, header and footnotes included, ending in a newline.
std::string format_table(const Report& r, const WorkloadReport& w);

}  // namespace parapipe::cli::bench
