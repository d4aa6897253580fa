#include "cli/size.hpp"

#include <cctype>
#include <cstdint>
#include <string>

#include <parapipe/engine/errors.hpp>

namespace parapipe {

std::size_t parse_size(std::string_view text) {
    std::string s(text);
    std::size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == 0 || i > 18) throw UsageError("invalid size '" + s + "' (examples: 65536, 64KiB, 8MiB, 1GiB)");
    std::uint64_t value = std::stoull(s.substr(0, i));
    std::string unit = s.substr(i);
    struct Unit {
        const char* name;
        std::uint64_t mult;
    };
    static constexpr Unit units[] = {{"", 1},          {"B", 1},           {"K", 1ull << 10},   {"k", 1ull << 10},
                                     {"KB", 1ull << 10}, {"kB", 1ull << 10}, {"KiB", 1ull << 10}, {"M", 1ull << 20},
                                     {"MB", 1ull << 20}, {"MiB", 1ull << 20}, {"G", 1ull << 30},  {"GB", 1ull << 30},
                                     {"GiB", 1ull << 30}};
    std::uint64_t mult = 0;
    for (const Unit& u : units)
        if (unit == u.name) mult = u.mult;
    if (mult == 0) throw UsageError("invalid size '" + s + "' (examples: 65536, 64KiB, 8MiB, 1GiB)");
    if (value == 0) throw UsageError("size must be greater than 0: '" + s + "'");
    if (value > (std::uint64_t{1} << 50) / mult) throw UsageError("size too large: '" + s + "'");
    return static_cast<std::size_t>(value * mult);
}

}  // namespace parapipe
