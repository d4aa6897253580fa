// engine/chunk_size.hpp — the default chunk size: at least 4 chunks per worker from 1 MiB on,
// never over 8 MiB (32 MiB in processes mode), and the chunks TextSource really cuts with it.
#include <gtest/gtest.h>

#include <parapipe/engine/chunk_size.hpp>
#include <parapipe/engine/text_source.hpp>
#include <parapipe/operators/utf8.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

TEST(DefaultChunkSize, UnderOneMebibyteStaysOneChunk) {
    for (Mode mode : {Mode::seq, Mode::threads, Mode::processes, Mode::shm, Mode::mpi}) {
        EXPECT_EQ(default_chunk_size(0, 2, mode), 8 * MiB);
        EXPECT_EQ(default_chunk_size(MiB - 1, 8, mode), 8 * MiB);
    }
}

TEST(DefaultChunkSize, AtLeastFourChunksPerWorkerAndCapped) {
    for (Mode mode : {Mode::seq, Mode::threads, Mode::processes, Mode::shm, Mode::mpi}) {
        const std::uint64_t most = mode == Mode::processes ? 32 * MiB : 8 * MiB;
        for (std::uint64_t total : {MiB, MiB + 1, 3 * MiB + 7, 9 * MiB, 64 * MiB, 256 * MiB, 4 * GiB}) {
            for (unsigned workers : {1u, 2u, 3u, 8u, 64u, 1024u}) {
                const std::uint64_t chunk = default_chunk_size(total, workers, mode);
                ASSERT_GE(chunk, 1u);
                EXPECT_LE(chunk, most) << total << " bytes, " << workers << " workers, " << to_string(mode);
                // Chunks of `chunk` bytes, the last one shorter: ceil(total / chunk) of them.
                const std::uint64_t chunks = (total + chunk - 1) / chunk;
                EXPECT_GE(chunks, 4u * workers) << total << " bytes, " << workers << " workers, " << to_string(mode);
            }
        }
        EXPECT_EQ(default_chunk_size(8 * MiB, 2, mode), MiB);
        EXPECT_EQ(default_chunk_size(8 * MiB, 0, mode), 2 * MiB);  // 0 workers counts as 1
    }
    // Large inputs: 8 MiB, but fewer, larger chunks where each chunk's partial is shipped: 8 per
    // worker, up to 32 MiB, and never smaller than the usual rule's.
    EXPECT_EQ(default_chunk_size(256 * MiB, 2, Mode::threads), 8 * MiB);
    EXPECT_EQ(default_chunk_size(256 * MiB, 2, Mode::shm), 8 * MiB);
    EXPECT_EQ(default_chunk_size(256 * MiB, 2, Mode::processes), 16 * MiB);
    EXPECT_EQ(default_chunk_size(256 * MiB, 1, Mode::processes), 32 * MiB);
    EXPECT_EQ(default_chunk_size(160 * MiB, 2, Mode::processes), 10 * MiB);
    EXPECT_EQ(default_chunk_size(4 * GiB, 2, Mode::processes), 32 * MiB);
    EXPECT_EQ(default_chunk_size(64 * MiB, 2, Mode::processes), 8 * MiB);
    EXPECT_EQ(default_chunk_size(32 * MiB, 2, Mode::processes), 4 * MiB);
}

// A processes worker holds its chunk's whole partial (up to ~6x the chunk): the larger chunks
// need a share of the memory limit (half of it over the workers and the coordinator) that fits it.
TEST(DefaultChunkSize, ProcessesKeepsTheUsualRuleUnderASmallMemoryLimit) {
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::processes, 0), 32 * MiB);         // no limit
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::processes, 12 * GiB), 32 * MiB);  // half of 24 GiB
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::processes, 1152 * MiB), 32 * MiB);  // 192 MiB each
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::processes, 1151 * MiB), 8 * MiB);
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::processes, 512 * MiB), 8 * MiB);
    EXPECT_EQ(default_chunk_size(GiB, 8, Mode::processes, 2 * GiB), 8 * MiB);    // 9 holders
    EXPECT_EQ(default_chunk_size(GiB, 2, Mode::threads, 512 * MiB), 8 * MiB);
}

// The rule counts bytes; the cutter moves each cut to the end of a word. On real text the
// chunk count still reaches 4 per worker, and input_bytes() sees what walk() sees.
TEST(DefaultChunkSize, TextSourceCutsFourChunksPerWorker) {
    testing::TempDir dir;
    std::string text;
    for (int i = 0; text.size() < MiB + 12345; ++i) text += "word" + std::to_string(i % 977) + (i % 13 ? " " : "\n");
    auto a = dir.write("a.txt", text.substr(0, text.size() / 3));
    auto b = dir.write("b.txt", text.substr(text.size() / 3));
    EXPECT_EQ(input_bytes({dir.path().string()}), text.size());
    for (unsigned workers : {1u, 2u, 4u}) {
        const std::size_t chunk = default_chunk_size({dir.path().string()}, workers, Mode::threads);
        auto src = TextSource::open({a, b}, chunk, utf8::next_cut);
        EXPECT_GE(src->chunk_count(), 4u * workers) << workers << " workers, chunk " << chunk;
    }
}

}  // namespace
}  // namespace parapipe
