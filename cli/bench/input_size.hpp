#pragma once
// How much input a benchmark reads, for throughput: the bytes of regular files, folders walked
// recursively (as `parapipe run` walks them).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parapipe::cli::bench {

struct InputSize {
    std::uint64_t bytes = 0;
    std::size_t files = 0;
};

/// Throws UsageError naming a path that is neither a regular file nor a folder.
InputSize input_size(const std::vector<std::string>& paths);

/// "1.2 MiB in 3 files (a.txt, ...)", for table titles.
std::string describe_inputs(const std::vector<std::string>& paths, const InputSize& size);

}  // namespace parapipe::cli::bench
