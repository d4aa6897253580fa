// engine/detail/chunk_shares.hpp — which chunk each threads-mode worker runs next: every chunk
// exactly once, each worker's own contiguous share first, then halves of the largest share left.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <parapipe/engine/detail/chunk_shares.hpp>

namespace parapipe::detail {
namespace {

// Every chunk of `shares`, taken by `workers` threads at once: how many times each was given.
std::vector<int> take_all(ChunkShares& shares, std::size_t chunks, unsigned workers) {
    std::vector<std::atomic<int>> given(chunks);
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w)
        threads.emplace_back([&, w] {
            while (auto i = shares.next(w)) given.at(*i).fetch_add(1);
        });
    for (auto& t : threads) t.join();
    std::vector<int> out;
    for (auto& g : given) out.push_back(g.load());
    return out;
}

TEST(ChunkShares, EveryChunkOnceWhateverTheWorkers) {
    for (std::size_t chunks : {0u, 1u, 2u, 3u, 7u, 8u, 100u, 1001u})
        for (unsigned workers : {1u, 2u, 3u, 8u, 16u}) {
            ChunkShares shares(chunks, workers);
            const std::vector<int> given = take_all(shares, chunks, workers);
            EXPECT_TRUE(std::all_of(given.begin(), given.end(), [](int g) { return g == 1; }))
                << chunks << " chunks, " << workers << " workers";
            for (unsigned w = 0; w < workers; ++w) EXPECT_FALSE(shares.next(w)) << "nothing left after the end";
        }
}

TEST(ChunkShares, EachWorkerStartsOnItsOwnContiguousShare) {
    ChunkShares shares(8, 2);
    EXPECT_EQ(shares.next(0), 0u);
    EXPECT_EQ(shares.next(1), 4u);
    EXPECT_EQ(shares.next(0), 1u);
    EXPECT_EQ(shares.next(1), 5u);
    EXPECT_EQ(shares.next(1), 6u);
    EXPECT_EQ(shares.next(1), 7u);
    // Worker 1's share is done; worker 0 has 2 and 3 left: worker 1 takes the back half.
    EXPECT_EQ(shares.next(1), 3u);
    EXPECT_EQ(shares.next(0), 2u);
    EXPECT_FALSE(shares.next(0));
    EXPECT_FALSE(shares.next(1));
}

TEST(ChunkShares, AFinishedWorkerTakesFromTheLargestShareLeft) {
    ChunkShares shares(12, 3);  // shares [0, 4), [4, 8), [8, 12)
    EXPECT_EQ(shares.next(0), 0u);
    EXPECT_EQ(shares.next(1), 4u);
    EXPECT_EQ(shares.next(2), 8u);
    for (std::size_t i = 9; i < 12; ++i) EXPECT_EQ(shares.next(2), i);
    EXPECT_EQ(shares.next(1), 5u);  // worker 0 has [1, 4) left, worker 1 [6, 8)
    EXPECT_EQ(shares.next(2), 2u);  // the back half of [1, 4): [2, 4)
    EXPECT_EQ(shares.next(2), 3u);
    EXPECT_EQ(shares.next(0), 1u);
    EXPECT_EQ(shares.next(0), 7u);  // worker 1 has [6, 8) left: its back half
    EXPECT_EQ(shares.next(1), 6u);
    for (unsigned w = 0; w < 3; ++w) EXPECT_FALSE(shares.next(w));
}

TEST(ChunkShares, MoreWorkersThanChunks) {
    ChunkShares shares(2, 4);  // shares [0, 0), [0, 1), [1, 1), [1, 2)
    EXPECT_EQ(shares.next(0), 0u);  // its own share is empty: it takes from worker 1's
    EXPECT_EQ(shares.next(2), 1u);  // and worker 2 from worker 3's
    EXPECT_FALSE(shares.next(1));
    EXPECT_FALSE(shares.next(3));
}

}  // namespace
}  // namespace parapipe::detail
