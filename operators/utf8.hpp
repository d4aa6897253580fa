#pragma once
// UTF-8 decoding and the word-character class shared by text_files' cuts and the tokenizer, so
// that both agree on where a word may end. Ill-formed bytes follow ICU's U8_NEXT (maximal subpart).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <parapipe/operators/unicode_table.hpp>

namespace parapipe::utf8 {

/// Word characters: Unicode general category L*, M* or N* (operators/unicode_table.hpp).
inline bool is_word_code_point(UChar32 c) { return unicode::is_word(c); }

/// ASCII letters and digits: the only ASCII word characters.
inline bool is_ascii_word(unsigned char b) {
    return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}

inline bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

/// Decodes the code point at `i` (advanced past it); returns a negative value for ill-formed bytes.
inline UChar32 next(std::string_view s, std::size_t& i) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    auto len = static_cast<std::int64_t>(s.size());
    std::int64_t at = static_cast<std::int64_t>(i);
    UChar32 c;
    U8_NEXT(p, at, len, c);
    i = static_cast<std::size_t>(at);
    return c;
}

/// First position >= `from` where a text may be cut without splitting a word or a UTF-8
/// sequence: the start of a separator code point or of an ill-formed byte, or the end.
inline std::size_t next_cut(std::string_view s, std::size_t from) {
    std::size_t i = from;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if (!is_ascii_word(b)) return i;
            ++i;
            continue;
        }
        if (is_continuation(b)) {
            ++i;
            continue;
        }
        std::size_t at = i;
        UChar32 c = next(s, i);
        if (c < 0 || !is_word_code_point(c)) return at;
    }
    return s.size();
}

}  // namespace parapipe::utf8
