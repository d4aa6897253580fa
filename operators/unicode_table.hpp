#pragma once
// The tokenizer's Unicode facts for the Basic Multilingual Plane as one table: is a code point a
// word character (general category L*, M* or N*), and its simple lowercase mapping. Filled from
// ICU once, on first use (65,536 ICU calls, about a millisecond), so ICU stays the source of
// truth and a non-ASCII letter costs a table load instead of two ICU calls. Code points above the
// BMP (rare in text) still ask ICU. tests/operators/unicode_table_test.cpp checks every code
// point against ICU. Thread-safe (the table is built under a function-local static).
#include <cstdint>
#include <memory>

#include <unicode/uchar.h>

namespace parapipe::unicode {

namespace detail {
struct BmpTable {
    std::uint16_t lower[0x10000];    ///< u_tolower(c); 0: the mapping leaves the BMP, ask ICU
    std::uint64_t word[0x10000 / 64];  ///< bit c: L*, M* or N*
};

inline bool icu_is_word(UChar32 c) {
    return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
}

/// Fills the table from ICU; out of line, so that bmp() stays a guard check and a load that
/// inlines into the tokenizer's loop (as a call it cost 1.5% of word count on ASCII-heavy text).
[[gnu::noinline]] inline std::unique_ptr<const BmpTable> build_bmp() {
    auto t = std::make_unique<BmpTable>();
    for (UChar32 c = 0; c < 0x10000; ++c) {
        const UChar32 l = u_tolower(c);
        t->lower[c] = l < 0x10000 ? static_cast<std::uint16_t>(l) : 0;
        if (icu_is_word(c)) t->word[c >> 6] |= std::uint64_t{1} << (c & 63);
    }
    return t;
}

inline const BmpTable& bmp() {
    static const std::unique_ptr<const BmpTable> table = build_bmp();
    return *table;
}
}  // namespace detail

/// Unicode general category L*, M* or N* (ICU's, through the table in the BMP).
inline bool is_word(UChar32 c) {
    if (c >= 0 && c < 0x10000) return (detail::bmp().word[c >> 6] >> (c & 63)) & 1u;
    return detail::icu_is_word(c);
}

/// A word character (as is_word) that lowercasing leaves as it is: a word made only of these
/// needs no copy. False for every code point outside the BMP (the caller then asks ICU).
inline bool is_lowercase_word(UChar32 c) {
    if (c < 0 || c >= 0x10000) return false;
    const detail::BmpTable& t = detail::bmp();
    return ((t.word[c >> 6] >> (c & 63)) & 1u) && t.lower[c] == c;
}

/// ICU's simple lowercase mapping, u_tolower(c).
inline UChar32 simple_lower(UChar32 c) {
    if (c >= 0 && c < 0x10000) {
        const UChar32 l = detail::bmp().lower[c];
        if (l != 0 || c == 0) return l;
    }
    return u_tolower(c);
}

}  // namespace parapipe::unicode
