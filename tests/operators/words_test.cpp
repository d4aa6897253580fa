// operators/words.hpp — the tokenizer agrees with the plain ICU reference on every case of the spec.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include <parapipe/operators/words.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using namespace std::string_literals;

std::map<std::string, std::uint64_t> fast_count(std::string_view text, std::uint64_t* invalid = nullptr) {
    std::map<std::string, std::uint64_t> m;
    std::uint64_t bad = ops::for_each_word(text, [&](std::string_view w) { ++m[std::string(w)]; });
    if (invalid) *invalid = bad;
    return m;
}

void expect_matches_reference(const std::string& text) {
    testing::ReferenceCount ref;
    testing::reference_count(text, ref);
    std::uint64_t invalid = 0;
    EXPECT_EQ(fast_count(text, &invalid), ref.counts);
    EXPECT_EQ(invalid, ref.invalid_bytes);
}

TEST(Words, SpecCases) {
    for (const std::string& t : {
             ""s, "word"s, "no trailing newline"s, "crlf\r\nlines\r\n"s, "nul\0bytes\0here"s,
             "bad \xFF\xFE utf8 \xC3 trunc\xE2\x82"s, "Über straße ÇA ÉTÉ naïve"s, "Привет МИР мир"s,
             "日本語 中文字 한국어"s, "١٢٣ ٤٥ ۱۲"s, "e\xCC\x81 cafe\xCC\x81 a\xCC\x8A"s, "x--y__z 1.5 a'b"s,
             "ǅungla Σίσυφος ΣΊΣΥΦΟΣ"s, "İstanbul ÀÉÎ ԱԲԳ שלום عربي \xD0 \xD0\xD0\x96"s, "\xF0\x9F\x98\x80smile\xF0\x9F\x98\x80"s, "\xED\xA0\x80surrogate"s,
             "\xC0\xAF overlong \xF4\x90\x80\x80 too big"s}) {
        SCOPED_TRACE(t);
        expect_matches_reference(t);
    }
}

TEST(Words, LowercasesAndSplitsOnPunctuation) {
    auto m = fast_count("Hello, HELLO hello! ÇA ça");
    EXPECT_EQ(m["hello"], 3u);
    EXPECT_EQ(m["ça"], 2u);
    EXPECT_EQ(m.size(), 2u);
}

// Two-byte code points that are not word characters (no-break space, «», ©, °, ·) separate words
// wherever they stand, first in the text included: the inline two-byte path once stopped on such
// a separator without consuming it, and looped for ever.
TEST(Words, TwoByteSeparatorsAnywhere) {
    for (const std::string& t : {"\u00A0"s, "\u00ABслово\u00BB"s, "©2024 a\u00B0b·c"s, "слово\u00A0СЛОВО"s,
                                 "x\u00A0"s, "\u00A0\u00A0Мир\u00A0"s}) {
        SCOPED_TRACE(t);
        expect_matches_reference(t);
    }
    EXPECT_EQ(fast_count("\u00ABслово\u00BB слово\u00A0СЛОВО")["слово"], 3u);
}

TEST(Words, InvalidBytesSeparateAndAreCounted) {
    std::uint64_t invalid = 0;
    auto m = fast_count("ab\xFF" "cd", &invalid);
    EXPECT_EQ(invalid, 1u);
    EXPECT_EQ(m.count("ab"), 1u);
    EXPECT_EQ(m.count("cd"), 1u);
}

TEST(Words, RandomBytesMatchReference) {
    std::mt19937 rng(7);
    const char* pieces[] = {"a", "Z", " ", "é", "\xCC\x81", "\xFF", "日", "٣", ",", "\n", "\xE2\x82", "Ω", "9",
                            "Ж", "İ", "\xD0", "\xC2\xA0", "\xC2\xAA"};
    for (int round = 0; round < 300; ++round) {
        std::string t;
        for (int i = 0; i < 60; ++i) t += pieces[rng() % std::size(pieces)];
        expect_matches_reference(t);
    }
}

// Words already lowercase are views of the text (no copy): runs of lowercase two- and three-byte
// code points, broken by upper-case letters, code points outside the BMP, ill-formed,
// overlong and surrogate sequences, and non-word code points of each length.
TEST(Words, LowercaseNonAsciiRunsMatchReference) {
    std::mt19937 rng(11);
    const char* pieces[] = {"ж", "я", "ё", "中", "文", "ω", "a", "7", "Ж", "Ё", "Ω", "Z", "𝐀", "𐐀", "𐐨", " ", "。",
                            "Â ", "Ì", "à", "í ", "ä¸", "À¯", "ÿ",
                            "ï¿¿", "ǅ", "ǆ"};
    for (int round = 0; round < 2000; ++round) {
        std::string t;
        const int len = 1 + static_cast<int>(rng() % 12);
        for (int i = 0; i < len; ++i) t += pieces[rng() % std::size(pieces)];
        SCOPED_TRACE(t);
        expect_matches_reference(t);
    }
}

// ASCII words of every length up to 40, an upper-case letter at every place (or none), ended by
// each kind of byte or by the text's end.
TEST(Words, AsciiRunsOfEveryLengthAroundTheBlockSize) {
    const std::string ends[] = {"", " ", ",", "\xC3\xA9x", "\xCC\x81", "\xFF", "\x80", "\x7F", "@", "[", "`", "{", "/", ":"};
    for (std::size_t len = 1; len <= 40; ++len) {
        for (std::size_t upper = 0; upper <= len; ++upper) {  // upper == len: none
            std::string w;
            for (std::size_t k = 0; k < len; ++k) w += k % 7 == 3 ? char('0' + k % 10) : char('a' + k % 26);
            if (upper < len && w[upper] >= 'a') w[upper] = static_cast<char>(w[upper] - 32);
            for (const auto& end : ends) {
                for (std::size_t lead = 0; lead < 3; ++lead) {
                    const std::string t = std::string(lead, ' ') + w + end + " tail";
                    SCOPED_TRACE(t);
                    expect_matches_reference(t);
                }
            }
        }
    }
}

// The tokenizer classifies 64 bytes at a time and takes the ASCII words inside a block from its
// masks: a word of every length up to past two blocks, starting at every place of a block, with
// an upper-case letter or none, ended by each kind of byte or by the text's end.
TEST(Words, AsciiWordsAtEveryPlaceOfABlock) {
    const std::string ends[] = {"", " ", "\xC3\xA9x", "\xC2\xA0", "\xFF", "Z"};
    for (std::size_t len = 1; len <= 140; ++len) {
        std::string w;
        for (std::size_t k = 0; k < len; ++k) w += k % 5 == 4 ? char('0' + k % 10) : char('a' + k % 26);
        for (std::size_t lead = 0; lead <= 70; ++lead) {
            std::string upper_w = w;
            upper_w[(lead * 7) % len] = static_cast<char>(upper_w[(lead * 7) % len] & ~0x20);  // a digit stays one
            for (const auto& end : ends) {
                const std::string t = std::string(lead, lead % 3 == 0 ? ',' : ' ') + (lead % 2 ? upper_w : w) + end;
                SCOPED_TRACE(t);
                expect_matches_reference(t);
                expect_matches_reference("ab " + t + " cd");
            }
        }
    }
}

// Random texts of a few blocks, mostly ASCII words and separators with some non-ASCII code
// points and ill-formed bytes, so that blocks with and without them, and words crossing blocks
// in every way, all occur.
TEST(Words, RandomMostlyAsciiBlocksMatchReference) {
    std::mt19937 rng(5);
    const char* pieces[] = {"a", "b", "Q", "7", " ", " ", ",", "\n", "é", "Ж", "\xFF", "\xC2\xA0", "日", "İ"};
    for (int round = 0; round < 3000; ++round) {
        std::string t;
        const std::size_t len = rng() % 300;
        const std::size_t rare = 8 + rng() % 400;  // how often a non-ASCII piece may come
        while (t.size() < len) t += pieces[rng() % rare < 8 ? 8 + rng() % 6 : rng() % 8];
        SCOPED_TRACE(t);
        expect_matches_reference(t);
    }
}

}  // namespace
}  // namespace parapipe
