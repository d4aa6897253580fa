// engine/text_source.* — chunks never split a word or a UTF-8 sequence, whatever the size.
#include <gtest/gtest.h>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/text_source.hpp>
#include <parapipe/operators/utf8.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::ReferenceCount;
using testing::TempDir;

using namespace std::string_literals;

// Every kind of boundary: punctuation, CRLF, tabs, NUL, diacritics (precomposed and combining),
// Cyrillic, CJK, Arabic-Indic digits, 4-byte emoji, stray and truncated UTF-8 sequences.
const std::string kMixed =
    "Hello, wörld! Ça va? Привет мир 日本語のテキスト ١٢٣ e\xCC\x81t\xC3\xA9 \xFF\xFE bad\xE2\x82 end\r\n"
    "tab\tsep\0nul CAPS longwordlongwordlongword \xF0\x9F\x98\x80 emoji x"s;

std::vector<std::string> pieces_of(const TextSource& src) {
    std::vector<std::string> out;
    for (std::size_t c = 0; c < src.chunk_count(); ++c)
        src.for_each_piece(c, [&](std::string_view t) { out.emplace_back(t); });
    return out;
}

TEST(Chunker, NeverSplitsAWordOrASequence) {
    TempDir dir;
    auto path = dir.write("mixed.txt", kMixed);
    const std::string whole = testing::read_file(path);
    ASSERT_NE(whole.find('\0'), std::string::npos);
    ReferenceCount expected;
    testing::reference_count(whole, expected);
    for (std::size_t size = 1; size <= whole.size() + 1; ++size) {
        auto src = TextSource::open({path}, size, utf8::next_cut);
        auto pieces = pieces_of(*src);
        std::string joined;
        ReferenceCount got;
        for (const auto& p : pieces) {
            ASSERT_FALSE(p.empty());
            ASSERT_FALSE(utf8::is_continuation(static_cast<unsigned char>(p[0]))) << "size " << size;
            joined += p;
            testing::reference_count(p, got);
        }
        ASSERT_EQ(joined, whole) << "size " << size;
        // Counting piece by piece gives the whole-file count: no word was cut.
        ASSERT_EQ(got.counts, expected.counts) << "size " << size;
        ASSERT_EQ(got.invalid_bytes, expected.invalid_bytes) << "size " << size;
    }
}

TEST(Chunker, ChunksAreAboutTheChunkSize) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "word" + std::to_string(i % 97) + (i % 13 ? " " : "\n");
    auto path = dir.write("a.txt", text);
    auto src = TextSource::open({path}, 4096, utf8::next_cut);
    ASSERT_GT(src->chunk_count(), 10u);
    for (std::size_t c = 0; c + 1 < src->chunk_count(); ++c) {
        EXPECT_GE(src->chunk_bytes(c), 4096u);
        EXPECT_LE(src->chunk_bytes(c), 4096u + 16);
    }
}

TEST(Chunker, WordLongerThanTheChunkStaysWhole) {
    TempDir dir;
    std::string longword(100000, 'z');
    auto path = dir.write("long.txt", "a " + longword + " b");
    auto src = TextSource::open({path}, 10, utf8::next_cut);
    bool found = false;
    for (const auto& p : pieces_of(*src)) found |= p.find(longword) != std::string::npos;
    EXPECT_TRUE(found);
}

TEST(Chunker, SmallFilesShareAChunk) {
    TempDir dir;
    for (int i = 0; i < 100; ++i) dir.write("many/f" + std::to_string(i) + ".txt", "tiny file\n");
    auto src = TextSource::open({dir.path().string()}, 1 << 20, utf8::next_cut);
    EXPECT_EQ(src->file_count(), 100u);
    EXPECT_EQ(src->chunk_count(), 1u);
    EXPECT_EQ(src->total_bytes(), 1000u);
}

TEST(Chunker, EmptyFileHasNoChunks) {
    TempDir dir;
    auto src = TextSource::open({dir.write("empty.txt", "")}, 1024, utf8::next_cut);
    EXPECT_EQ(src->chunk_count(), 0u);
}

TEST(Chunker, MissingPathIsAUsageError) {
    EXPECT_THROW(TextSource::open({"/nonexistent/parapipe/file"}, 1024, utf8::next_cut), UsageError);
}

TEST(Chunker, DescribeNamesFileAndRange) {
    TempDir dir;
    auto path = dir.write("d.txt", "alpha beta gamma delta");
    auto src = TextSource::open({path}, 8, utf8::next_cut);
    EXPECT_EQ(src->describe(0), path + " bytes [0, 10)");
}

}  // namespace
}  // namespace parapipe
