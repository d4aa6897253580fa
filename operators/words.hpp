#pragma once
// The word tokenizer. A word is a maximal run of code points of general category L*, M* or N*;
// everything else, including ill-formed UTF-8, separates words. Each code point is lowercased
// with ICU's simple mapping (u_tolower); nothing is normalized. ASCII never calls ICU; the BMP
// reads a table filled from ICU once (operators/unicode_table.hpp).
// Stateless and thread-safe.
#include <bit>
#include <cstdint>
#include <cstring>
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

/// Which of 64 bytes are ASCII letters or digits (word), ASCII upper-case letters (upper) and
/// bytes >= 0x80 (high: part of a multi-byte code point, or ill-formed), as bit masks: bit k for
/// byte k. Every other byte is an ASCII separator.
struct ByteClasses {
    std::uint64_t word = 0, upper = 0, high = 0;
};
inline ByteClasses classify64(const char* p) {
    ByteClasses c;
#if defined(__SSE2__)
    // Range tests as one signed compare each: adding 0x80 - lo maps [lo, lo + len) onto
    // [-128, -128 + len), and no byte outside the range lands there (the add is a bijection).
    const __m128i bit5 = _mm_set1_epi8(0x20);
    const __m128i letter_bias = _mm_set1_epi8(static_cast<char>(0x80 - 'a'));
    const __m128i digit_bias = _mm_set1_epi8(static_cast<char>(0x80 - '0'));
    const __m128i upper_bias = _mm_set1_epi8(static_cast<char>(0x80 - 'A'));
    const __m128i below26 = _mm_set1_epi8(-128 + 26), below10 = _mm_set1_epi8(-128 + 10);
    for (int k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i letter = _mm_cmpgt_epi8(below26, _mm_add_epi8(_mm_or_si128(v, bit5), letter_bias));
        const __m128i digit = _mm_cmpgt_epi8(below10, _mm_add_epi8(v, digit_bias));
        const __m128i upper = _mm_cmpgt_epi8(below26, _mm_add_epi8(v, upper_bias));
        const int shift = 16 * k;
        c.word |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_or_si128(letter, digit)))} << shift;
        c.upper |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(upper))} << shift;
        c.high |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(v))} << shift;
    }
#else
    for (int k = 0; k < 64; ++k) {
        const auto b = static_cast<unsigned char>(p[k]);
        const std::uint64_t bit = std::uint64_t{1} << k;
        if (b >= 0x80) c.high |= bit;
        else if (utf8::is_ascii_word(b)) c.word |= bit;
        if (b >= 'A' && b <= 'Z') c.upper |= bit;
    }
#endif
    return c;
}

/// The text's byte classes 64 bytes at a time (classify64). ascii_words() finds the words of a
/// block from its masks, a count of trailing zeros per word boundary instead of a branch per
/// byte; word_end() follows an ASCII run across blocks. A block is loaded where the scan leaves
/// the last one; bytes past the end of the text count as separators. Positions passed in never
/// decrease.
class AsciiScan {
public:
    AsciiScan(const char* p, std::size_t n) : p_(p), n_(n) {
        if (n_ > 0) load(0);
    }

    /// From i (not inside a word), calls ascii_word(start, length, upper) for each run of
    /// non-separator bytes of the block that is all ASCII and ends inside the block, in order
    /// (upper: bit k when byte start + k is A-Z).
    /// Returns true with i at the start of the first run that is not (it has a byte >= 0x80, or
    /// reaches the block's end): the caller's general path takes it. Else false, with i at the
    /// block's end (or past the text's).
    template <class F>
    bool ascii_words(std::size_t& i, F&& ascii_word) {
        std::size_t off = i - base_;
        if (off >= 64) {
            if (i >= n_) return false;
            off = load(i);
        }
        const std::uint64_t runs = (c_.word | c_.high) & (~std::uint64_t{0} << off);
        std::uint64_t edges = runs ^ (runs << 1);  // a run's first byte, and the byte after it
        while (edges != 0) {
            const int s = std::countr_zero(edges);
            edges &= edges - 1;
            if (edges == 0) {  // the run reaches the end of the block
                i = base_ + static_cast<std::size_t>(s);
                return true;
            }
            const int e = std::countr_zero(edges);
            edges &= edges - 1;
            const std::uint64_t span = (std::uint64_t{1} << e) - (std::uint64_t{1} << s);
            if ((c_.high & span) != 0) {
                i = base_ + static_cast<std::size_t>(s);
                return true;
            }
            ascii_word(base_ + static_cast<std::size_t>(s), static_cast<std::size_t>(e - s), (c_.upper & span) >> s);
        }
        i = base_ + 64;
        return false;
    }

    /// The end of the ASCII letters and digits from i (the first other byte, or n); sets
    /// has_upper when one of them is A-Z.
    std::size_t word_end(std::size_t i, bool& has_upper) {
        for (;;) {
            if (i >= n_) return n_;
            std::size_t off = i - base_;
            if (off >= 64) off = load(i);
            const std::uint64_t rest = ~(c_.word >> off);  // the bits shifted in end the run
            const int len = rest ? std::countr_zero(rest) : 64;
            const std::uint64_t span = len == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << len) - 1;
            has_upper |= ((c_.upper >> off) & span) != 0;
            i += static_cast<std::size_t>(len);
            if (i - base_ < 64) return i;
        }
    }

private:
    std::size_t load(std::size_t at) {
        base_ = at;
        if (n_ - at >= 64) {
            c_ = classify64(p_ + at);
        } else {  // the tail: zeros (separators) past the end
            char tail[64] = {};
            std::memcpy(tail, p_ + at, n_ - at);
            c_ = classify64(tail);
        }
        return 0;
    }

    const char* p_;
    std::size_t n_;
    std::size_t base_ = 0;
    ByteClasses c_;
};

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

/// The slow path of a word: appends the lowercase of the word characters from i to `word`
/// (something in them changes when lowercased, or is ill-formed); returns where the word ends,
/// past a non-ASCII separator, and adds ill-formed bytes to `invalid`.
inline std::size_t lower_rest(std::string_view text, std::size_t i, std::string& word, std::uint64_t& invalid) {
    const std::size_t n = text.size();
    while (i < n) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            if (!utf8::is_ascii_word(b)) break;
            word.push_back(ascii_lower(static_cast<char>(b)));
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
                append_utf8(word, l);
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
        append_lower(word, c);
    }
    return i;
}
}  // namespace detail

/// Calls emit(std::string_view word) for each lowercased word in `text`; the view lives until
/// emit returns. Returns the number of ill-formed bytes seen.
/// Example: for_each_word("Hello, World", [&](std::string_view w) { ++counts[std::string(w)]; });
template <class Emit>
std::uint64_t for_each_word(std::string_view text, Emit&& emit) {
    std::uint64_t invalid = 0;
    std::string word;  // used only when lowercasing changes bytes or a word leaves ASCII
    const std::size_t n = text.size();
    std::size_t i = 0;
    detail::AsciiScan scan(text.data(), n);
    char lower[64];  // a word of the fast path (shorter than a block) with A-Z in it, lowercased
    const auto ascii_word = [&](std::size_t start, std::size_t len, std::uint64_t upper) {
        const char* w = text.data() + start;
        if (upper != 0) {
            std::memcpy(lower, w, len);
            for (; upper != 0; upper &= upper - 1) lower[std::countr_zero(upper)] |= 0x20;
            w = lower;
        }
        emit(std::string_view(w, len));
    };
    while (i < n) {
        // Fast path: the ASCII words inside the current block of 64 bytes.
        if (!scan.ascii_words(i, ascii_word)) continue;
        // The general path, for one word (or ill-formed byte) from i: it goes on past the block,
        // or has non-ASCII code points.
        const std::size_t start = i;
        bool has_upper = false;
        if (static_cast<unsigned char>(text[i]) < 0x80) [[likely]] i = scan.word_end(i, has_upper);  // else: non-ASCII
        // One call of emit for every word of this path, so that the compiler inlines emit twice
        // (here and in the fast path) rather than once per way a word may end.
        std::string_view out;
        if (i == n || static_cast<unsigned char>(text[i]) < 0x80) {  // an ASCII word
            if (!has_upper) {
                out = std::string_view(text.data() + start, i - start);
            } else {
                word.assign(text.data() + start, i - start);
                for (char& c : word) c = detail::ascii_lower(c);
                out = word;
            }
        } else {
            // The word goes on (or starts) with non-ASCII code points. Most such words (Cyrillic,
            // Greek, CJK...) are already lowercase: when nothing in them changes, the word is a
            // view of the text like an ASCII one, with no copy.
            std::size_t resume = std::string_view::npos;
            if (!has_upper) {
                const std::size_t stop = detail::lowercase_word_end(text, i);
                resume = detail::after_word_end(text, stop);
                if (resume != std::string_view::npos) {
                    out = std::string_view(text.data() + start, stop - start);
                    i = resume;
                } else {
                    i = stop;
                    word.assign(text.data() + start, i - start);  // lowercase already: copied as it is
                }
            } else {
                word.assign(text.data() + start, i - start);
                for (char& c : word) c = detail::ascii_lower(c);
            }
            if (resume == std::string_view::npos) {
                i = detail::lower_rest(text, i, word, invalid);
                out = word;
            }
        }
        if (!out.empty()) emit(out);
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
