// engine/chunk_size.hpp — the default chunk size: at least 4 chunks per worker from 1 MiB on,
// never over 8 MiB, and the chunks TextSource really cuts with it.
#include <gtest/gtest.h>

#include <parapipe/engine/chunk_size.hpp>
#include <parapipe/engine/text_source.hpp>
#include <parapipe/operators/utf8.hpp>
#include "tests/support/test_support.hpp"

namespace parapipe {
namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

TEST(DefaultChunkSize, UnderOneMebibyteStaysOneChunk) {
    EXPECT_EQ(default_chunk_size(0, 2), 8 * MiB);
    EXPECT_EQ(default_chunk_size(MiB - 1, 8), 8 * MiB);
}

TEST(DefaultChunkSize, AtLeastFourChunksPerWorkerAtMostEightMebibytes) {
    for (std::uint64_t total : {MiB, MiB + 1, 3 * MiB + 7, 9 * MiB, 64 * MiB, 256 * MiB, 4 * GiB}) {
        for (unsigned workers : {1u, 2u, 3u, 8u, 64u, 1024u}) {
            const std::uint64_t chunk = default_chunk_size(total, workers);
            ASSERT_GE(chunk, 1u);
            EXPECT_LE(chunk, 8 * MiB) << total << " bytes, " << workers << " workers";
            // Chunks of `chunk` bytes, the last one shorter: ceil(total / chunk) of them.
            const std::uint64_t chunks = (total + chunk - 1) / chunk;
            EXPECT_GE(chunks, 4u * workers) << total << " bytes, " << workers << " workers";
        }
    }
    EXPECT_EQ(default_chunk_size(256 * MiB, 2), 8 * MiB);  // large inputs: today's 8 MiB
    EXPECT_EQ(default_chunk_size(8 * MiB, 2), MiB);
    EXPECT_EQ(default_chunk_size(8 * MiB, 0), 2 * MiB);  // 0 workers counts as 1
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
        const std::size_t chunk = default_chunk_size({dir.path().string()}, workers);
        auto src = TextSource::open({a, b}, chunk, utf8::next_cut);
        EXPECT_GE(src->chunk_count(), 4u * workers) << workers << " workers, chunk " << chunk;
    }
}

}  // namespace
}  // namespace parapipe
