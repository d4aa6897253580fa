#pragma once
// `parapipe bench-baseline wordcount|image ...` (hidden): the plain programs parapipe is compared
// with, as commands, so that `parapipe bench --baselines` measures them as child processes exactly
// like the modes. wordcount: the single-threaded C++ word count (bench/wordcount/baseline.hpp: one
// std::unordered_map, no chunks, no executor), writing the same TSV as `parapipe run wordcount`.
// image: a sequential loop of OpenCV calls with OpenCV's own threading, writing the same files
// as `parapipe run image`.
#include "cli/command.hpp"

namespace parapipe::cli::bench {

void add_baseline_command(CLI::App& app, Action& action);

}  // namespace parapipe::cli::bench
