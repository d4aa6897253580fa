#pragma once
// The machine-readable forms of a bench report: JSON (everything, every repeat) and CSV (one
// line per configuration). Both are written atomically (cli/output_file.hpp).
#include <string>

#include "cli/bench/report.hpp"

namespace parapipe::cli::bench {

/// The report as JSON text (schema: docs/bench-*.json; "schema": "parapipe-bench/1").
std::string to_json(const Report& r);

/// The report as CSV text with a header line; one line per row of every workload.
std::string to_csv(const Report& r);

}  // namespace parapipe::cli::bench
