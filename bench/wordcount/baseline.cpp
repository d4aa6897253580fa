#include "bench/wordcount/baseline.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace parapipe::bench {

BaselineCounts wordcount_baseline(std::string_view text) {
    BaselineCounts counts;
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto n = static_cast<std::int64_t>(text.size());
    std::string word;
    for (std::int64_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK))) {
            char buf[4];
            std::int32_t len = 0;
            U8_APPEND_UNSAFE(buf, len, u_tolower(c));
            word.append(buf, static_cast<std::size_t>(len));
        } else if (!word.empty()) {
            ++counts[word];
            word.clear();
        }
    }
    if (!word.empty()) ++counts[word];
    return counts;
}

}  // namespace parapipe::bench
