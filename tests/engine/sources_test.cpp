// engine/sources/*, operators/text_files.hpp — no source ever splits, loses or repeats a record,
// in every mode with 1, 2 and 4 workers, at chunk sizes from 1 byte to beyond the input.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
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
            EXPECT_EQ(got, testing::expected_here(mc, expected));
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
            EXPECT_EQ(got, testing::expected_here(mc, expected));
            EXPECT_EQ(counters["invalid_bytes"], testing::expected_here(mc, ref.invalid_bytes));
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
            EXPECT_EQ(got, testing::expected_here(mc, expected));
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
                EXPECT_EQ(range(all, per).sort().run(opt), testing::expected_here(mc, all));
                EXPECT_EQ(generate(n, [](std::uint64_t i) { return i; }, per).sort().run(opt),
                          testing::expected_here(mc, all));
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
        EXPECT_EQ(from(Squares{101}).sum().run({.mode = mc.mode, .workers = mc.workers}),
                  testing::expected_here(mc, std::uint64_t{338350}));
}

// More files spanning chunk boundaries than TextSource maps: the rest are cut by reading small
// windows around each cut (one file needs the window to grow past a 200 KB line) and read per
// chunk. Both kinds give exactly the lines and words of a plain split.
TEST(Sources, FilesBeyondTheMappingBudgetAreCutAndReadExactly) {
    TempDir dir;
    std::vector<std::string> expected_lines;
    std::string all_text;
    const std::size_t n = TextSource::max_mapped + 6;
    for (std::size_t f = 0; f < n; ++f) {
        char name[32];
        std::snprintf(name, sizeof name, "many/f%05zu.txt", f);
        std::string text = awkward_text(static_cast<unsigned>(f)).substr(0, 150 + f % 97);
        if (f == n - 2) text = "head\n" + std::string(200'000, 'w') + "\r\nü tail\n" + text;
        const auto path = dir.write(name, text);
        for (auto& l : split_lines(path, text)) expected_lines.push_back(l);
        all_text += text + "\n";
    }
    std::sort(expected_lines.begin(), expected_lines.end());
    testing::ReferenceCount ref;
    testing::reference_count(all_text, ref);
    std::vector<std::pair<std::string, std::uint64_t>> expected_words(ref.counts.begin(), ref.counts.end());
    const std::string root = (dir.path() / "many").string();
    EXPECT_EQ(TextSource::open({root}, 100, cut_after_newline)->mapped_count(), TextSource::max_mapped);
    for (std::size_t chunk : {std::size_t{100}, std::size_t{4096}}) {
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            RunOptions opt{.mode = mc.mode, .workers = mc.workers};
            auto got = lines({root}, chunk)
                           .map([](const Line& l) {
                               return std::string(l.file) + '\0' + std::to_string(l.offset) + '\0' + std::string(l.text);
                           })
                           .sort()
                           .run(opt);
            EXPECT_EQ(got, testing::expected_here(mc, expected_lines));
            EXPECT_EQ(text_files({root}, chunk).flat_map(ops::words).count_by_key().run(opt),
                      testing::expected_here(mc, expected_words));
        }
    }
}

// Small files are never mapped, and a run holds a few descriptors whatever the file count:
// a thousand files run under a descriptor limit far below their number.
TEST(Sources, ManyFilesNeedNeitherMappingsNorDescriptors) {
    TempDir dir;
    const std::size_t n = 1000;  // far above the descriptor limit set below
    std::string all_text;
    for (std::size_t f = 0; f < n; ++f) {
        const std::string text = "file " + std::to_string(f) + " words\n";
        dir.write("small/" + std::to_string(f) + ".txt", text);
        all_text += text;
    }
    testing::ReferenceCount ref;
    testing::reference_count(all_text, ref);
    std::vector<std::pair<std::string, std::uint64_t>> expected(ref.counts.begin(), ref.counts.end());
    const std::string root = (dir.path() / "small").string();
    EXPECT_EQ(TextSource::open({root}, 1 << 20, cut_after_newline)->mapped_count(), 0u);

    rlimit before{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &before), 0);
    rlimit low = before;
    // (Not below 128: forked workers move their pipes to descriptors >= 100 first.)
    low.rlim_cur = static_cast<rlim_t>(std::max(testing::count_open_fds() + 64, 128));
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    for (const auto& mc : testing::all_mode_cases()) {
        SCOPED_TRACE(mc.name());
        RunOptions opt{.mode = mc.mode, .workers = mc.workers};
        EXPECT_EQ(text_files({root}, 4096).flat_map(ops::words).count_by_key().run(opt),
                  testing::expected_here(mc, expected));
        EXPECT_EQ(lines({root}, 100).count().run(opt), testing::expected_here(mc, std::uint64_t{n}));
        EXPECT_EQ(files({root}, 100).count().run(opt), testing::expected_here(mc, std::uint64_t{n}));
    }
    ::setrlimit(RLIMIT_NOFILE, &before);
}

// A file read per chunk that is gone or replaced by the time its chunk runs cannot be counted
// as it was: the chunk fails with an Error that names it.
TEST(Sources, LazyFileRemovedOrReplacedBeforeItsChunkFailsClearly) {
    TempDir dir;
    const std::string a = dir.write("two/a.txt", "aaaa\n");
    const std::string b = dir.write("two/b.txt", "bbbb\n");
    const std::string root = (dir.path() / "two").string();
    auto run_with = [&](auto act) {
        auto done = std::make_shared<bool>(false);
        return lines({root}, 5)
            .map([done, act](const Line& l) {
                if (!*done) {
                    *done = true;
                    act();
                }
                return std::string(l.text);
            })
            .sort()
            .run({.mode = Mode::seq});
    };
    try {
        run_with([&] { ::unlink(b.c_str()); });
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(b + " was removed before it was read"), std::string::npos) << e.what();
    }
    dir.write("two/b.txt", "bbbb\n");
    dir.write("other.txt", "cccc\n");
    try {
        run_with([&] { ::rename((dir.path() / "other.txt").c_str(), b.c_str()); });
        ADD_FAILURE() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(b + " was replaced before it was read"), std::string::npos) << e.what();
    }
    (void)a;
}

// A chain of `depth` folders named "d" under `top`, made relative to descriptors (the full
// path is longer than PATH_MAX), with `text` in file "deep.txt" at the bottom.
void make_deep_tree(const std::string& top, std::size_t depth, const std::string& text) {
    int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    for (std::size_t i = 0; i < depth; ++i) {
        ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
        int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
        ::close(fd);
        ASSERT_GE(next, 0);
        fd = next;
    }
    int file = ::openat(fd, "deep.txt", O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(file, 0);
    ASSERT_EQ(::write(file, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(file);
    ::close(fd);
}

// Removes what make_deep_tree made without long paths: moves top/d/d up to top/d each step.
void remove_deep_tree(const std::string& top) {
    int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    while (::renameat(fd, "d/d", fd, "up") == 0) {
        ::unlinkat(fd, "d", AT_REMOVEDIR);
        ::renameat(fd, "up", fd, "d");
    }
    ::unlinkat(fd, "d/deep.txt", 0);
    ::unlinkat(fd, "d", AT_REMOVEDIR);
    ::close(fd);
}

// A file 2,500 folders deep (a path of 5,000+ bytes, beyond PATH_MAX) is found and read by
// every source in every mode.
TEST(Sources, FilesDeeperThanPathMaxAreRead) {
    TempDir dir;
    const std::string top = dir.path().string();
    const std::string text = "deep down here\nsecond line\n";
    make_deep_tree(top, 2500, text);
    struct Cleanup {
        std::string top;
        ~Cleanup() { remove_deep_tree(top); }
    } cleanup{top};
    const auto found = walk({top});
    ASSERT_EQ(found.size(), 1u);
    EXPECT_GT(found[0].size(), std::size_t{PATH_MAX});
    struct stat st {};
    EXPECT_EQ(stat_path(found[0], st), 0);
    EXPECT_EQ(static_cast<std::size_t>(st.st_size), text.size());
    const std::vector<std::pair<std::string, std::uint64_t>> words = {{"deep", 1}, {"down", 1}, {"here", 1}, {"line", 1}, {"second", 1}};
    for (std::size_t chunk : {std::size_t{5}}) {  // several chunks in one deep file
        for (const auto& mc : testing::all_mode_cases()) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            RunOptions opt{.mode = mc.mode, .workers = mc.workers};
            EXPECT_EQ(lines({top}, chunk).map([](const Line& l) { return std::string(l.text); }).sort().run(opt),
                      testing::expected_here(mc, std::vector<std::string>{"deep down here", "second line"}));
            EXPECT_EQ(text_files({top}, chunk).flat_map(ops::words).count_by_key().run(opt),
                      testing::expected_here(mc, words));
            EXPECT_EQ(files({top}, chunk).map([](const FileItem& f) { return std::string(f.data); }).sort().run(opt),
                      testing::expected_here(mc, std::vector<std::string>{text}));
        }
    }
}

}  // namespace
}  // namespace parapipe
