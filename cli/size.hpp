#pragma once
// Sizes as the command line takes them (--chunk-size, bench --size).
#include <cstddef>
#include <string_view>

namespace parapipe {

/// Parses "8MiB", "64KiB", "1GiB", "512", "4k", "2M"; throws UsageError on anything else or 0.
std::size_t parse_size(std::string_view text);

}  // namespace parapipe
