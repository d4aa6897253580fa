// engine/sources/*, operators/text_files.hpp — no source ever splits, loses or repeats a record,
// in every mode with 1, 2 and 4 workers, at chunk sizes from 1 byte to beyond the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include <parapipe/parapipe.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::TempDir;

const std::vector<std::size_t> chunk_sizes = {1, 2, 3, 7, 64, 4096, std::size_t{1} << 20};

// Lines as a plain split sees them, with their byte offsets: "\n" ends a line, a "\r" before it
// goes, a last line without "\n" counts, nothing follows a final "\n".
std::vector<std::string> split_lines(const std::string& file, const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t nl = text.find('\n', at);
        std::string line = text.substr(at, (nl == std::string::npos ? text.size() : nl) - at);
        if (nl != std::string::npos && !line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(file + '\0' + std::to_string(at) + '\0' + line);
        at = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
}

// Awkward text: CRLF and LF, empty lines, a long line, a lone CR, UTF-8, no final newline.
std::string awkward_text(unsigned seed) {
    std::mt19937 rng(seed);
    static const std::string long_line(300, 'L');
    const std::string pieces[] = {"GET /a HTTP/1.1", "", "über,straße", "x", "\r", "日本語 テキスト", "a\tb", "  ", long_line};
    std::string s;
    for (int i = 0; i < 60; ++i) {
        s += pieces[rng() % 9];
        s += (rng() % 3 == 0) ? "\r\n" : "\n";
    }
    s += "last line without newline";
    return s;
}

TEST(Sources, LinesNeverSplitOrLoseALine) {
    TempDir dir;
    std::vector<std::string> expected;
    for (int f = 0; f < 3; ++f) {
        std::string name = "logs/f" + std::to_string(f) + ".log";
        std::string text = awkward_text(f);
        const auto path = dir.write(name, text);
        for (auto& l : split_lines(path, text)) expected.push_back(l);
    }
    dir.write("logs/.hidden.log", "must not be read\n");
    std::sort(expected.begin(), expected.end());
    const std::string root = (dir.path() / "logs").string();
    for (std::size_t chunk : chunk_sizes) {
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            auto got = lines({root}, chunk)
                           .map([](const Line& l) {
                               return std::string(l.file) + '\0' + std::to_string(l.offset) + '\0' + std::string(l.text);
                           })
                           .sort()
                           .run({.mode = mc.mode, .workers = mc.workers});
            EXPECT_EQ(got, expected);
        }
    }
}

TEST(Sources, TextFilesNeverSplitAWord) {
    TempDir dir;
    std::string text;
    for (unsigned s = 0; s < 4; ++s) text += awkward_text(s) + " Ǆemo ÉCOLE x²\xff\xfe end";
    const auto path = dir.write("t.txt", text);
    testing::ReferenceCount ref;
    testing::reference_count(text, ref);
    std::vector<std::pair<std::string, std::uint64_t>> expected(ref.counts.begin(), ref.counts.end());
    for (std::size_t chunk : chunk_sizes) {
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            Counters counters;
            auto got = text_files({path}, chunk).flat_map(ops::words).count_by_key().run(
                {.mode = mc.mode, .workers = mc.workers}, counters);
            EXPECT_EQ(got, expected);
            EXPECT_EQ(counters["invalid_bytes"], ref.invalid_bytes);
        }
    }
}

TEST(Sources, FilesGiveEachFileOnceAndWhole) {
    TempDir dir;
    std::vector<std::pair<std::string, std::string>> expected;
    for (int f = 0; f < 9; ++f) {
        std::string name = "tree/" + std::string(f % 3 ? "sub/" : "") + "f" + std::to_string(f) + ".txt";
        std::string text = awkward_text(100 + f).substr(0, 50 * f);  // f0 is empty
        expected.emplace_back(dir.write(name, text), text);
    }
    dir.write("tree/.git/config", "hidden");
    std::sort(expected.begin(), expected.end());
    const std::string root = (dir.path() / "tree").string();
    for (std::size_t chunk : chunk_sizes) {
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            auto got = files({root}, chunk)
                           .map([](const FileItem& f) { return std::pair(std::string(f.path), std::string(f.data)); })
                           .sort()
                           .run({.mode = mc.mode, .workers = mc.workers});
            EXPECT_EQ(got, expected);
        }
    }
}

TEST(Sources, RangeAndGenerateGiveEveryItemOnce) {
    for (std::uint64_t n : {0u, 1u, 5u, 1000u}) {
        std::vector<std::uint64_t> all(n);
        std::iota(all.begin(), all.end(), 0);
        for (std::uint64_t per : {0u, 1u, 3u, 64u, 5000u}) {
            for (const auto& mc : testing::all_mode_cases()) {
                SCOPED_TRACE(mc.name() + " n " + std::to_string(n) + " per " + std::to_string(per));
                RunOptions opt{.mode = mc.mode, .workers = mc.workers};
                EXPECT_EQ(range(all, per).sort().run(opt), all);
                EXPECT_EQ(generate(n, [](std::uint64_t i) { return i; }, per).sort().run(opt), all);
            }
        }
    }
}

TEST(Sources, MissingPathsAreUsageErrors) {
    EXPECT_THROW(lines({"/nonexistent/parapipe"}), UsageError);
    EXPECT_THROW(files({"/nonexistent/parapipe"}), UsageError);
    EXPECT_THROW(text_files({"/nonexistent/parapipe"}), UsageError);
    EXPECT_THROW(files({"-"}), UsageError);
}

// A source of the user's own, as engine/source.hpp documents it.
struct Squares {
    using item_type = std::uint64_t;
    std::uint64_t n;
    std::size_t chunk_count() const { return (n + 9) / 10; }
    template <class Emit>
    void for_each(std::size_t c, Emit&& emit) const {
        for (std::uint64_t i = c * 10; i < std::min<std::uint64_t>(n, (c + 1) * 10); ++i) emit(i * i);
    }
    std::uint64_t weight(std::size_t) const { return 10; }
    std::string describe(std::size_t c) const { return "squares " + std::to_string(c); }
    void release(std::size_t) const {}
};
static_assert(Source<Squares>);

TEST(Sources, UserSourceRunsInEveryMode) {
    for (const auto& mc : testing::all_mode_cases())
        EXPECT_EQ(from(Squares{101}).sum().run({.mode = mc.mode, .workers = mc.workers}), 338350u);
}

}  // namespace
}  // namespace parapipe
