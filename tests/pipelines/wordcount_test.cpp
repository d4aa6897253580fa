// pipelines/wordcount.* — output equals the reference in every mode, worker count and chunk size.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <parapipe/operators/utf8.hpp>
#include <parapipe/engine/run.hpp>
#include <parapipe/pipelines/wordcount.hpp>
#include "cli/wordcount_format.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using namespace std::string_literals;
using testing::TempDir;

std::string run_tsv(const std::vector<std::string>& paths, std::size_t chunk, Mode mode, unsigned workers) {
    auto src = wordcount::open(paths, chunk);
    return wordcount::format(run(wordcount::make_plan(src), RunOptions{.mode = mode, .workers = workers}),
                             wordcount::Format::tsv);
}

std::string reference_of(const std::vector<std::string>& paths) {
    testing::ReferenceCount ref;
    for (const auto& p : paths) testing::reference_count(testing::read_file(p), ref);
    return testing::reference_tsv(ref);
}

TEST(WordCount, SpecInputsMatchReferenceInEveryMode) {
    TempDir dir;
    std::vector<std::string> paths{
        dir.write("empty.txt", ""),
        dir.write("notrail.txt", "last line without newline"),
        dir.write("crlf.txt", "one\r\ntwo\r\nOne\r\n"),
        dir.write("nul.txt", "a\0b\0a"s),
        dir.write("invalid.txt", "ok \xFF\xFE bad\xC3 x\xE2\x82y"s),
        dir.write("latin.txt", "Crème brûlée, CRÈME, naïve façade"),
        dir.write("cyrillic.txt", "Москва МОСКВА москва Ёж"),
        dir.write("cjk.txt", "日本語、中文。한국어 日本語"),
        dir.write("digits.txt", "١٢٣ ٤٥٦ 123 ١٢٣"),
        dir.write("combining.txt", "cafe\xCC\x81 CAFE\xCC\x81 e\xCC\x81"),
        dir.write("longword.txt", std::string(70000, 'q') + " short"),
    };
    const std::string expected = reference_of(paths);
    ASSERT_FALSE(expected.empty());
    for (const auto& mc : testing::all_mode_cases()) {
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1024}, std::size_t{64} << 20}) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            EXPECT_EQ(run_tsv(paths, chunk, mc.mode, mc.workers), expected);
        }
    }
}

TEST(WordCount, TenMegabyteLineMatchesSeqInEveryMode) {
    TempDir dir;
    // Under the sanitizers 2 MiB: still cut by the two smaller chunk sizes, whole in the largest.
    const std::size_t size = testing::test_small() ? (2u << 20) : (10u << 20);
    std::string line;
    line.reserve(size);
    const char* words[] = {"alpha ", "Beta ", "γάμμα ", "δέλτα,", "EPSILON ", "日本 ", "x\xCC\x81 ", "9 "};
    for (std::size_t i = 0; line.size() < size; ++i) line += words[(i * 7 + i / 3) % 8];
    auto path = dir.write("line.txt", line);  // one line, no newline
    const std::string expected = reference_of({path});
    for (const auto& mc : testing::all_mode_cases()) {
        for (std::size_t chunk : {std::size_t{1} << 10, std::size_t{256} << 10, std::size_t{64} << 20}) {
            SCOPED_TRACE(mc.name() + " chunk " + std::to_string(chunk));
            EXPECT_EQ(run_tsv({path}, chunk, mc.mode, mc.workers), expected);
        }
    }
}

TEST(WordCount, StatsAreExact) {
    TempDir dir;
    auto path = dir.write("s.txt", "a b A \xFF c");
    auto r = run(wordcount::make_plan(wordcount::open({path}, 1024)), RunOptions{});
    EXPECT_EQ(r.total_words, 4u);
    EXPECT_EQ(r.unique_words, 3u);
    EXPECT_EQ(r.invalid_bytes, 1u);
    EXPECT_EQ(r.bytes, 9u);
}

TEST(WordCount, OrdersByCountThenBytes) {
    TempDir dir;
    auto path = dir.write("o.txt", "b a c b a z é");
    auto r = run(wordcount::make_plan(wordcount::open({path}, 1024)), RunOptions{});
    EXPECT_EQ(wordcount::format(r, wordcount::Format::tsv), "a\t2\nb\t2\nc\t1\nz\t1\né\t1\n");
}

TEST(WordCount, TopKKeepsTheFirstK) {
    TempDir dir;
    auto path = dir.write("t.txt", "b a c b a z");
    auto r = run(wordcount::make_plan(wordcount::open({path}, 1024), 2), RunOptions{});
    EXPECT_EQ(wordcount::format(r, wordcount::Format::tsv), "a\t2\nb\t2\n");
    EXPECT_EQ(r.unique_words, 4u);
}

TEST(WordCount, FormatsCsvAndJson) {
    wordcount::Result r;
    r.words = {{"a,b", 2}, {"q\"x", 1}};
    r.total_words = 3, r.unique_words = 2, r.bytes = 9, r.invalid_bytes = 1;
    EXPECT_EQ(wordcount::format(r, wordcount::Format::csv), "word,count\n\"a,b\",2\n\"q\"\"x\",1\n");
    auto j = nlohmann::json::parse(wordcount::format(r, wordcount::Format::json));
    EXPECT_EQ(j["words"][0]["word"], "a,b");
    EXPECT_EQ(j["words"][1]["count"], 1);
    EXPECT_EQ(j["total_words"], 3);
    EXPECT_EQ(j["unique_words"], 2);
    EXPECT_EQ(j["bytes"], 9);
    EXPECT_EQ(j["invalid_bytes"], 1);
}

// A large result is formatted in blocks on several threads: the bytes are those of one thread,
// in every format, with a huge word (handed to the sink as it is) inside a block.
TEST(WordCount, FormatsOnThreadsAsOnOne) {
    wordcount::Result r;
    for (std::size_t i = 0; i < 100'000; ++i)
        r.words.emplace_back(i == 40'000 ? std::string(std::size_t{1} << 20, 'h') : "w\"," + std::to_string(i), 100'000 - i);
    r.total_words = 1, r.unique_words = r.words.size();
    for (auto f : {wordcount::Format::tsv, wordcount::Format::csv, wordcount::Format::json}) {
        const std::string one = wordcount::format(r, f, 1);
        EXPECT_GT(one.size(), std::size_t{1} << 20);
        EXPECT_EQ(wordcount::format(r, f, 2), one);
        EXPECT_EQ(wordcount::format(r, f, 3), one);
    }
    EXPECT_EQ(nlohmann::json::parse(wordcount::format(r, wordcount::Format::json, 2))["words"][99'999]["count"], 1);
}

// Many distinct words: in shm each worker's table is too big for its region and moves to a
// segment of its own (engine/reduce/string_table_codec.hpp). The result is seq's, at several
// chunk sizes, also with a region too small for anything but the pipe, and no segment is left.
TEST(WordCount, ManyDistinctWordsInShmEqualSeq) {
    TempDir dir;
    std::string text;
    for (std::size_t i = 0; i < 150'000; ++i) text += "w" + std::to_string(i * 7919 % 1'000'003) + (i % 3 ? " " : "\n");
    const std::string path = dir.write("distinct.txt", text);
    const std::string want = run_tsv({path}, 1 << 20, Mode::seq, 1);
    for (std::size_t chunk : {std::size_t{64} << 10, std::size_t{300} << 10}) {
        for (unsigned workers : {1u, 2u}) {
            EXPECT_EQ(run_tsv({path}, chunk, Mode::shm, workers), want) << chunk << " " << workers;
            EXPECT_EQ(testing::count_shm_segments(), 0);
        }
    }
    auto src = wordcount::open({path}, std::size_t{64} << 10);
    const auto tiny = run(wordcount::make_plan(src), RunOptions{.mode = Mode::shm, .workers = 2, .shm_region_bytes = 4096});
    EXPECT_EQ(wordcount::format(tiny, wordcount::Format::tsv), want);
    EXPECT_EQ(testing::count_shm_segments(), 0);
}

}  // namespace
}  // namespace parapipe
