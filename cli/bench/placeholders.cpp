#include "cli/bench/placeholders.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace parapipe::cli::bench {

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

bool needs_quotes(const std::string& a) {
    if (a.empty()) return true;
    return std::any_of(a.begin(), a.end(), [](unsigned char c) {
        return !(std::isalnum(c) || std::string_view("-_./=:,+%@{}").find(static_cast<char>(c)) != std::string_view::npos);
    });
}

}  // namespace

bool uses(const std::vector<std::string>& argv, const std::string& slot) {
    return std::any_of(argv.begin(), argv.end(), [&](const std::string& a) { return a.find(slot) != std::string::npos; });
}

std::vector<std::string> substitute(const std::vector<std::string>& argv, const SlotValues& v) {
    std::vector<std::string> out = argv;
    for (auto& a : out) {
        replace_all(a, kModeSlot, v.mode);
        replace_all(a, kWorkersSlot, v.workers);
        replace_all(a, kChunkSlot, v.chunk);
    }
    return out;
}

std::string shell_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        if (!needs_quotes(a)) {
            out += a;
            continue;
        }
        out += '\'';
        for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

}  // namespace parapipe::cli::bench
