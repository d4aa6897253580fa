// operators/unicode_table.hpp — the BMP table equals ICU on every code point, and so do the
// answers above the BMP (which ask ICU directly).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <parapipe/operators/unicode_table.hpp>

namespace parapipe {
namespace {

TEST(UnicodeTable, EqualsIcuOnEveryCodePoint) {
    std::size_t word_mismatches = 0, lower_mismatches = 0, words = 0;
    UChar32 first_bad = -1;
    for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
        const bool icu_word = (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
        words += icu_word;
        if (unicode::is_word(c) != icu_word) {
            ++word_mismatches;
            if (first_bad < 0) first_bad = c;
        }
        if (unicode::simple_lower(c) != u_tolower(c)) {
            ++lower_mismatches;
            if (first_bad < 0) first_bad = c;
        }
    }
    EXPECT_EQ(word_mismatches, 0u) << "first at U+" << std::hex << first_bad;
    EXPECT_EQ(lower_mismatches, 0u) << "first at U+" << std::hex << first_bad;
    EXPECT_GT(words, 100000u);  // the loop really saw the letters of the other planes
    EXPECT_EQ(unicode::simple_lower(0x0416), 0x0436);  // Ж -> ж
    EXPECT_EQ(unicode::simple_lower(0x10400), 0x10428);  // Deseret, above the BMP
    EXPECT_FALSE(unicode::is_word(-1));
}

// The table is built once, whichever thread asks first.
TEST(UnicodeTable, FirstUseFromManyThreadsAgrees) {
    std::vector<std::thread> threads;
    std::vector<int> seen(8);
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&seen, t] { seen[t] = unicode::is_word(0x044F) + unicode::simple_lower(0x042F); });
    for (auto& th : threads) th.join();
    for (int v : seen) EXPECT_EQ(v, 1 + 0x044F);
}

}  // namespace
}  // namespace parapipe
