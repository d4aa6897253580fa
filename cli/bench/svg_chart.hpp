#pragma once
// The chart of `parapipe bench --plot`: throughput as grouped bars, one group per worker count
// (and chunk size, when several were measured), one colour per mode or baseline, speedups over
// the reference written in the bars. One panel per workload; the titles name the input and the
// machine. Plain SVG 1.1 text, no dependency; PNG goes through rsvg-convert.
#include <string>

#include "cli/bench/report.hpp"

namespace parapipe::cli::bench {

/// The chart as a standalone SVG document.
std::string to_svg(const Report& r);

/// True when `path` ends in .png (case-insensitive), false for .svg; throws UsageError otherwise.
bool plot_wants_png(const std::string& path);

/// Throws UsageError naming the Debian package when PNG output is asked for and rsvg-convert is
/// not on PATH; called before any benchmark runs, so a missing tool costs no time.
void check_png_renderer();

/// Writes the chart to `path` atomically: SVG as is, PNG rendered by rsvg-convert.
void write_chart(const Report& r, const std::string& path);

}  // namespace parapipe::cli::bench
