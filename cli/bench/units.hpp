#pragma once
// Human-readable figures for tables and charts: "256.0 MiB", "8MiB", "1.234".
#include <cstdint>
#include <string>

namespace parapipe::cli::bench {

/// Binary units with one decimal: "812.0 KiB", "256.0 MiB", "1.5 GiB".
std::string format_bytes(double bytes);

/// Compact chunk size for labels: "64KiB", "8MiB", "1GiB", or the byte count.
std::string format_size_compact(std::uint64_t bytes);

/// printf-style formatting into a std::string.
std::string strprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace parapipe::cli::bench
