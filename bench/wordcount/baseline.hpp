#pragma once
// What a user would write without parapipe: one thread, std::unordered_map<std::string, uint64_t>,
// the same word definition (ICU per code point). The baseline every word-count figure is
// compared with.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parapipe::bench {

using BaselineCounts = std::unordered_map<std::string, std::uint64_t>;

/// Counts the lowercased words of `text` (letters, marks, numbers; ICU u_tolower).
BaselineCounts wordcount_baseline(std::string_view text);

}  // namespace parapipe::bench
