#pragma once
// The word tokenizer. A word is a maximal run of code points of general category L*, M* or N*;
// everything else, including ill-formed UTF-8, separates words. Each code point is lowercased
// with ICU's simple mapping (u_tolower); nothing is normalized. ASCII never calls ICU; the BMP
// reads a table filled from ICU once (operators/unicode_table.hpp).
// Stateless and thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <parapipe/engine/counters.hpp>
#include <parapipe/operators/utf8.hpp>

namespace parapipe::ops {

namespace detail {
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline void append_utf8(std::string& out, UChar32 c) {
    char buf[4];
    std::int32_t n = 0;
    U8_APPEND_UNSAFE(buf, n, c);
    out.append(buf, static_cast<std::size_t>(n));
}
inline void append_lower(std::string& out, UChar32 c) { append_utf8(out, unicode::simple_lower(c)); }

/// The end of the ASCII letters and digits starting at `i` (the first other byte, or n); sets
/// has_upper when one of them is A-Z. Sixteen bytes at a time where SSE2 is there: most words
/// end inside the first block, found with one compare chain instead of a branch per byte.
inline std::size_t ascii_word_end(const char* p, std::size_t i, std::size_t n, bool& has_upper) {
#if defined(__SSE2__)
    const __m128i a1 = _mm_set1_epi8('a' - 1), z1 = _mm_set1_epi8('z' + 1);
    const __m128i A1 = _mm_set1_epi8('A' - 1), Z1 = _mm_set1_epi8('Z' + 1);
    const __m128i d1 = _mm_set1_epi8('0' - 1), d2 = _mm_set1_epi8('9' + 1), bit5 = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        // Signed compares: bytes >= 0x80 are negative, so they are neither letters nor digits.
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i low = _mm_or_si128(v, bit5);
        const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(low, a1), _mm_cmplt_epi8(low, z1));
        const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d1), _mm_cmplt_epi8(v, d2));
        const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, A1), _mm_cmplt_epi8(v, Z1));
        const unsigned other = ~static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(letter, digit))) & 0xFFFFu;
        const unsigned up = static_cast<unsigned>(_mm_movemask_epi8(upper));
        if (other != 0) {
            const unsigned len = static_cast<unsigned>(__builtin_ctz(other));
            has_upper |= (up & ((1u << len) - 1u)) != 0;
            return i + len;
        }
        has_upper |= up != 0;
        i += 16;
    }
#endif
    while (i < n) {
        const auto b = static_cast<unsigned char>(p[i]);
        if (b >= 0x80 || !utf8::is_ascii_word(b)) break;
        has_upper |= (b >= 'A' && b <= 'Z');
        ++i;
    }
    return i;
}
/// Past the word characters from `i` that lowercasing leaves unchanged: ASCII a-z and digits,
/// and BMP word code points that are their own lowercase. Stops at anything else: a separator,
/// an upper-case letter, a code point outside the BMP or an ill-formed byte.
inline std::size_t lowercase_word_end(std::string_view text, std::size_t i) {
    const std::size_t n = text.size();
    while (i < n) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))) return i;
            ++i;
            continue;
        }
        std::size_t next = i;
        UChar32 c;
        if (b >= 0xC2 && b <= 0xDF && i + 1 < n && utf8::is_continuation(static_cast<unsigned char>(text[i + 1]))) {
            c = ((b & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);  // two bytes, decoded here
            next = i + 2;
        } else if (b >= 0xE0 && b <= 0xEF && i + 2 < n) {  // three bytes (CJK): decoded here when well-formed
            const auto b1 = static_cast<unsigned char>(text[i + 1]), b2 = static_cast<unsigned char>(text[i + 2]);
            const bool ok = utf8::is_continuation(b1) && utf8::is_continuation(b2) &&
                            (b != 0xE0 || b1 >= 0xA0) &&  // not overlong
                            (b != 0xED || b1 < 0xA0);     // not a surrogate
            if (!ok) return i;                            // the slow path counts what is ill-formed
            c = ((b & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
            next = i + 3;
        } else {
            c = utf8::next(text, next);
        }
        if (c < 0 || !unicode::is_lowercase_word(c)) return i;
        i = next;
    }
    return i;
}

/// Where to go on when the word ends at `i`: at i for an ASCII separator or the end of the
/// text, past a well-formed non-word code point. npos when the word does not end at i (an
/// upper-case letter, a code point outside the BMP, an ill-formed byte): the slow path goes on.
inline std::size_t after_word_end(std::string_view text, std::size_t i) {
    if (i == text.size()) return i;
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) return utf8::is_ascii_word(b) ? std::string_view::npos : i;
    std::size_t next = i;
    const UChar32 c = utf8::next(text, next);
    return c >= 0 && !utf8::is_word_code_point(c) ? next : std::string_view::npos;
}
}  // namespace detail

/// Calls emit(std::string_view word) for each lowercased word in `text`; the view lives until
/// emit returns. Returns the number of ill-formed bytes seen.
/// Example: for_each_word("Hello, World", [&](std::string_view w) { ++counts[std::string(w)]; });
template <class Emit>
std::uint64_t for_each_word(std::string_view text, Emit&& emit) {
    using utf8::is_ascii_word;
    std::uint64_t invalid = 0;
    std::string word;  // used only when lowercasing changes bytes or a word leaves ASCII
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80 && !is_ascii_word(b)) {
            ++i;
            continue;
        }
        // A word (or an ill-formed byte) starts here. Fast path: an ASCII run.
        const std::size_t start = i;
        bool has_upper = false;
        i = detail::ascii_word_end(text.data(), i, n, has_upper);
        if (i == n || static_cast<unsigned char>(text[i]) < 0x80) {
            if (!has_upper) {
                emit(std::string_view(text.data() + start, i - start));
            } else {
                word.assign(text.data() + start, i - start);
                for (char& c : word) c = detail::ascii_lower(c);
                emit(std::string_view(word));
            }
            continue;
        }
        // The word goes on (or starts) with non-ASCII code points. Most such words (Cyrillic,
        // Greek, CJK...) are already lowercase: when nothing in them changes, the word is a view
        // of the text like an ASCII one, with no copy.
        if (!has_upper) {
            const std::size_t stop = detail::lowercase_word_end(text, i);
            const std::size_t resume = detail::after_word_end(text, stop);
            if (resume != std::string_view::npos) {
                if (stop > start) emit(std::string_view(text.data() + start, stop - start));
                i = resume;
                continue;
            }
            i = stop;
            word.assign(text.data() + start, i - start);  // lowercase already: copied as it is
        } else {
            word.assign(text.data() + start, i - start);
            for (char& c : word) c = detail::ascii_lower(c);
        }
        // Slow path: something in the rest of the word changes when lowercased (or is ill-formed).
        while (i < n) {
            b = static_cast<unsigned char>(text[i]);
            if (b < 0x80) {
                if (!is_ascii_word(b)) break;
                word.push_back(detail::ascii_lower(static_cast<char>(b)));
                ++i;
                continue;
            }
            // Two-byte sequences (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic): decoded here,
            // one table load each for the class and the lowercase, no ICU call.
            if (b >= 0xC2 && b <= 0xDF && i + 1 < n && utf8::is_continuation(static_cast<unsigned char>(text[i + 1]))) {
                const UChar32 c = ((b & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
                if (!unicode::is_word(c)) {  // a separator: consumed, as utf8::next() below does
                    i += 2;
                    break;
                }
                const UChar32 l = unicode::simple_lower(c);
                if (l >= 0x80 && l < 0x800) {
                    const char two[2] = {static_cast<char>(0xC0 | (l >> 6)), static_cast<char>(0x80 | (l & 0x3F))};
                    word.append(two, 2);
                } else {
                    detail::append_utf8(word, l);
                }
                i += 2;
                continue;
            }
            std::size_t at = i;
            UChar32 c = utf8::next(text, i);
            if (c < 0) {
                invalid += i - at;
                break;
            }
            if (!utf8::is_word_code_point(c)) break;
            detail::append_lower(word, c);
        }
        if (!word.empty()) emit(std::string_view(word));
    }
    return invalid;
}

}  // namespace parapipe::ops

namespace parapipe::ops {

/// The tokenizer as a flat_map stage: `flow.flat_map(parapipe::ops::words)`. Bytes that are not
/// UTF-8 separate words and are added to the counter "invalid_bytes" (engine/counters.hpp).
struct Words {
    using output_type = std::string_view;
    template <class Emit>
    void operator()(std::string_view text, Emit&& emit) const {
        if (const std::uint64_t invalid = for_each_word(text, emit)) parapipe::count(invalid_bytes_counter, invalid);
    }
    static constexpr std::string_view invalid_bytes_counter = "invalid_bytes";
};
inline constexpr Words words{};

}  // namespace parapipe::ops
