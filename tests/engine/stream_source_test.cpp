// Streams without a spool (engine/text_source.hpp): lines() and text_files() over a named pipe or
// standard input give what the same bytes give as a regular file, in every mode, at many chunk
// sizes and window sizes (PARAPIPE_STREAM_WINDOW), with records longer than the window, an empty
// stream, a stream without a final newline, and streams mixed with files. Nothing is written to
// $TMPDIR for a stream.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include <parapipe/parapipe.hpp>
#include <parapipe/pipelines/wordcount.hpp>

#include "tests/support/stream_writer.hpp"
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

using testing::TempDir;

using testing::make_fifo;
using testing::StreamWriter;

// Sets PARAPIPE_STREAM_WINDOW for a scope (0: unset). Set before any writer thread starts.
class WindowBytes {
public:
    explicit WindowBytes(std::size_t bytes) {
        if (bytes) ::setenv("PARAPIPE_STREAM_WINDOW", std::to_string(bytes).c_str(), 1);
        else ::unsetenv("PARAPIPE_STREAM_WINDOW");
    }
    ~WindowBytes() { ::unsetenv("PARAPIPE_STREAM_WINDOW"); }
};

// Lines of every length, a line of 3000 bytes (longer than the 1 KiB window), CRLF, UTF-8.
std::string stream_text(unsigned seed, bool final_newline) {
    std::mt19937 rng(seed);
    std::string s;
    for (int i = 0; i < 120; ++i) {
        switch (rng() % 6) {
            case 0: s += ""; break;
            case 1: s += "über straße " + std::to_string(i); break;
            case 2: s += std::string(rng() % 90, 'a' + static_cast<char>(i % 26)); break;
            case 3: s += "日本語 テキスト x\xCC\x81 word"; break;
            case 4: s += "GET /a HTTP/1.1\r"; break;
            default: s += "one two three four five six seven"; break;
        }
        if (i == 60) s += std::string(3000, 'W');  // one record longer than the small window
        s += "\n";
    }
    s += "words after the last newline";
    if (final_newline) s += "\n";
    return s;
}

// What a run over `paths` gives: every line with its offset (file names differ between a stream
// and a file), and every word with its count.
struct Seen {
    std::vector<std::string> lines;
    std::vector<std::pair<std::string, std::uint64_t>> words;
    bool operator==(const Seen&) const = default;
};

auto line_flow(const std::vector<std::string>& paths, std::size_t chunk) {
    return lines(paths, chunk)
        .map([](const Line& l) { return std::to_string(l.offset) + ":" + std::string(l.text); })
        .sort();
}
auto word_flow(const std::vector<std::string>& paths, std::size_t chunk) {
    return text_files(paths, chunk).flat_map(wordcount::Tokenize{}).count_by_key();
}

std::vector<testing::ModeCase> stream_modes() {
    std::vector<testing::ModeCase> out;
    for (const auto& mc : testing::all_mode_cases())
        if (mc.mode != Mode::mpi) out.push_back(mc);  // mpi refuses streams (a test below)
    return out;
}

// Runs lines() then text_files() over FIFOs fed with `streams` (and the files of `files`, in
// the order of `layout`: 'f' a file, 's' a stream), one FIFO per run.
Seen run_streams(const TempDir& dir, const std::vector<std::string>& streams, const std::vector<std::string>& files,
                 const std::string& layout, std::size_t chunk, const RunOptions& opt) {
    Seen seen;
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<std::string> paths;
        std::vector<std::unique_ptr<StreamWriter>> writers;
        std::size_t si = 0, fi = 0;
        for (char c : layout) {
            if (c == 'f') {
                paths.push_back(files[fi++]);
            } else {
                const std::string fifo = make_fifo(dir, "s" + std::to_string(pass) + "_" + std::to_string(si) + ".fifo");
                writers.push_back(std::make_unique<StreamWriter>(fifo, streams[si++]));
                paths.push_back(fifo);
            }
        }
        if (pass == 0) seen.lines = line_flow(paths, chunk).run(opt);
        else seen.words = word_flow(paths, chunk).run(opt);
        for (auto& w : writers) w->join();
        for (const auto& p : paths)
            if (p.ends_with(".fifo")) std::filesystem::remove(p);
    }
    return seen;
}

Seen run_files(const std::vector<std::string>& paths, std::size_t chunk) {
    return {line_flow(paths, chunk).run(), word_flow(paths, chunk).run()};
}

TEST(StreamSources, AFifoGivesWhatTheSameBytesGiveAsAFile) {
    TempDir dir;
    for (bool final_newline : {true, false}) {
        const std::string text = stream_text(final_newline ? 1 : 2, final_newline);
        const std::string file = dir.write(final_newline ? "a.txt" : "b.txt", text);
        const Seen expected = run_files({file}, 64);
        ASSERT_FALSE(expected.lines.empty());
        // A 1 KiB window (every chunk size above 128 gives 128-byte chunks), then the default.
        for (std::size_t window : {std::size_t{1024}, std::size_t{0}}) {
            WindowBytes w(window);
            const std::vector<std::size_t> sizes =
                window ? std::vector<std::size_t>{1, 7, 64} : std::vector<std::size_t>{1, 7, 64, 4096, 8 << 20};
            for (std::size_t chunk : sizes)
                for (const auto& mc : stream_modes()) {
                    const Seen got = run_streams(dir, {text}, {}, "s", chunk, {.mode = mc.mode, .workers = mc.workers});
                    EXPECT_TRUE(got == expected) << mc.name() << " chunk " << chunk << " window " << window
                                                 << " final newline " << final_newline;
                }
        }
    }
}

TEST(StreamSources, AnEmptyStreamGivesAnEmptyResult) {
    TempDir dir;
    WindowBytes w(256);
    for (const auto& mc : stream_modes()) {
        const Seen got = run_streams(dir, {""}, {}, "s", 7, {.mode = mc.mode, .workers = mc.workers});
        EXPECT_TRUE(got.lines.empty() && got.words.empty()) << mc.name();
    }
}

TEST(StreamSources, StreamsMixedWithFiles) {
    TempDir dir;
    const std::string t1 = stream_text(3, true), t2 = stream_text(4, false), t3 = stream_text(5, true);
    const std::string f1 = dir.write("f1.txt", t1), f3 = dir.write("f3.txt", t3);
    const std::string copy = dir.write("f2.txt", t2);
    const Seen expected = run_files({f1, copy, f3}, 64);
    WindowBytes w(1024);
    for (const auto& mc : stream_modes()) {
        const Seen got = run_streams(dir, {t2}, {f1, f3}, "fsf", 7, {.mode = mc.mode, .workers = mc.workers});
        EXPECT_TRUE(got == expected) << mc.name();
    }
    // Two streams and a file.
    const Seen expected2 = run_files({copy, f1, copy}, 64);
    const Seen got = run_streams(dir, {t2, t2}, {f1}, "sfs", 64, {.mode = Mode::threads, .workers = 2});
    EXPECT_TRUE(got == expected2);
}

// Standard input ("-") between two files, through a pipe put on fd 0 while the source opens.
TEST(StreamSources, StandardInputBetweenFiles) {
    TempDir dir;
    const std::string t1 = stream_text(6, true), t2 = stream_text(7, false);
    const std::string f1 = dir.write("f1.txt", t1), copy = dir.write("f2.txt", t2);
    const Seen expected = run_files({f1, copy, f1}, 64);
    WindowBytes w(1024);
    for (const auto& mc : stream_modes()) {
        Seen got;
        for (int pass = 0; pass < 2; ++pass) {
            int p[2];
            ASSERT_EQ(::pipe(p), 0);
            const int saved = ::dup(STDIN_FILENO);
            ::dup2(p[0], STDIN_FILENO);
            ::close(p[0]);
            StreamWriter writer(p[1], t2);
            const RunOptions opt{.mode = mc.mode, .workers = mc.workers};
            // The source keeps its own descriptor of stdin: fd 0 is restored before the run.
            if (pass == 0) {
                auto flow = line_flow({f1, "-", f1}, 7);
                ::dup2(saved, STDIN_FILENO);
                got.lines = flow.run(opt);
            } else {
                auto flow = word_flow({f1, "-", f1}, 7);
                ::dup2(saved, STDIN_FILENO);
                got.words = flow.run(opt);
            }
            ::close(saved);
            writer.join();
        }
        EXPECT_TRUE(got == expected) << mc.name();
    }
}

// Chunk descriptions and line offsets are offsets in the stream, not in the window; the chunk
// count over all windows is known at the end.
TEST(StreamSources, OffsetsAndDescriptionsAreStreamOffsets) {
    TempDir dir;
    WindowBytes w(256);
    const std::string fifo = make_fifo(dir, "d.fifo");
    std::string text;
    for (int i = 0; i < 100; ++i) text += "line " + std::to_string(i) + "\n";
    StreamWriter writer(fifo, text);
    auto source = TextSource::open({fifo}, 64, cut_after_newline);
    ASSERT_TRUE(source->streamed());
    std::uint64_t expected_begin = 0;
    std::size_t chunks = 0;
    while (const std::size_t n = source->next_window({.window = chunks == 0 ? 0u : 1u})) {
        for (std::size_t c = 0; c < n; ++c, ++chunks) {
            std::string piece;
            std::uint64_t at = 0;
            source->for_each_piece(c, [&](std::string_view t, const std::string&, std::uint64_t offset) {
                piece = std::string(t);
                at = offset;
            });
            EXPECT_EQ(at, expected_begin);
            EXPECT_EQ(piece, text.substr(at, piece.size()));
            EXPECT_EQ(source->describe(c), fifo + " bytes [" + std::to_string(at) + ", " +
                                               std::to_string(at + piece.size()) + ")");
            expected_begin += piece.size();
        }
    }
    writer.join();
    EXPECT_EQ(expected_begin, text.size());
    EXPECT_EQ(source->total_bytes(), text.size());
    EXPECT_EQ(source->total_chunk_count(), chunks);
    EXPECT_GT(chunks, 10u);  // several windows
}

TEST(StreamSources, AStreamIsReadByOneRunOnly) {
    TempDir dir;
    const std::string fifo = make_fifo(dir, "once.fifo");
    StreamWriter writer(fifo, "a b c\n");
    auto pipeline = line_flow({fifo}, 64);
    EXPECT_EQ(pipeline.run().size(), 1u);
    writer.join();
    EXPECT_THROW(pipeline.run(), UsageError);
}

TEST(StreamSources, MpiRefusesAStream) {
    TempDir dir;
    const std::string fifo = make_fifo(dir, "mpi.fifo");
    StreamWriter writer(fifo, "a b c\n");
    auto pipeline = line_flow({fifo}, 64);
    try {
        pipeline.run({.mode = Mode::mpi});
        ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("stream"), std::string::npos) << e.what();
    }
    writer.join();
}

// A cancel (Ctrl-C) stops a reader that no data comes to.
TEST(StreamSources, CancelStopsABlockedRead) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    const int saved = ::dup(STDIN_FILENO);
    ::dup2(p[0], STDIN_FILENO);
    ::close(p[0]);
    auto pipeline = line_flow({"-"}, 64);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    std::atomic<int> cancel{0};
    std::atomic<std::uint64_t> read{0};
    std::atomic<bool> stopped{false};
    // The run reads the first lines, then waits for more that never come (the pipe stays open).
    ASSERT_EQ(::write(p[1], "some\nlines\n", 11), 11);
    std::thread canceller([&] {
        EXPECT_TRUE(testing::wait_until([&] { return read.load() == 11; }));
        cancel.store(SIGINT);
    });
    try {
        pipeline.run({.mode = Mode::threads, .workers = 2, .progress = &read, .cancel = &cancel});
        ADD_FAILURE() << "not interrupted";
    } catch (const Interrupted& e) {
        EXPECT_EQ(e.signal(), SIGINT);
        stopped = true;
    }
    canceller.join();
    ::close(p[1]);
    EXPECT_TRUE(stopped.load());
}

}  // namespace
}  // namespace parapipe
