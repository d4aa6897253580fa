#pragma once
// bench/baselines/mp_wordcount.py, embedded in the binary at build time (cmake/bench_cli.cmake),
// so an installed parapipe runs the Python baseline without the source tree.
#include <string_view>

namespace parapipe::cli::bench {

/// The script's text.
std::string_view mp_wordcount_script();

}  // namespace parapipe::cli::bench
