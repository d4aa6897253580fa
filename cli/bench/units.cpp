#include "cli/bench/units.hpp"

#include <cstdarg>
#include <cstdio>

namespace parapipe::cli::bench {

std::string strprintf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    std::string out(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
    std::vsnprintf(out.data(), out.size() + 1, fmt, ap2);
    va_end(ap2);
    return out;
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
    return u == 0 ? strprintf("%.0f B", bytes) : strprintf("%.1f %s", bytes, units[u]);
}

std::string format_size_compact(std::uint64_t bytes) {
    const char* units[] = {"", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && bytes >= 1024 && bytes % 1024 == 0) bytes /= 1024, ++u;
    return std::to_string(bytes) + units[u];
}

}  // namespace parapipe::cli::bench
