// engine/detail/chunk_shares.hpp — which chunk each threads-mode worker runs next: every chunk
// exactly once, each worker's own contiguous share first, then halves of the largest share left.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <parapipe/engine/detail/chunk_shares.hpp>

namespace parapipe::detail {
namespace {

// The shares and the words they live in.
struct Shares {
    std::vector<ChunkShares::Word> words;
    ChunkShares shares;
    Shares(std::size_t chunks, unsigned workers) : words(workers), shares(words.data(), workers, chunks) {}
    std::optional<std::size_t> next(std::size_t w) { return shares.next(w); }
};

// Every chunk, taken by `workers` threads at once (and `extra` threads without a share of their
// own): how many times each was given.
std::vector<int> take_all(Shares& shares, std::size_t chunks, unsigned workers, unsigned extra = 0) {
    std::vector<std::atomic<int>> given(chunks);
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers + extra; ++w)
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
            for (unsigned extra : {0u, 1u}) {
                Shares shares(chunks, workers);
                const std::vector<int> given = take_all(shares, chunks, workers, extra);
                EXPECT_TRUE(std::all_of(given.begin(), given.end(), [](int g) { return g == 1; }))
                    << chunks << " chunks, " << workers << " workers, " << extra << " without a share";
                EXPECT_TRUE(shares.shares.drained());
                for (unsigned w = 0; w <= workers; ++w) EXPECT_FALSE(shares.next(w)) << "nothing left after the end";
            }
        }
}

TEST(ChunkShares, EachWorkerStartsOnItsOwnContiguousShare) {
    Shares shares(8, 2);
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
    Shares shares(12, 3);  // shares [0, 4), [4, 8), [8, 12)
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
    Shares shares(2, 4);  // shares [0, 0), [0, 1), [1, 1), [1, 2)
    EXPECT_EQ(shares.next(0), 0u);  // its own share is empty: it takes from worker 1's
    EXPECT_EQ(shares.next(2), 1u);  // and worker 2 from worker 3's
    EXPECT_FALSE(shares.next(1));
    EXPECT_FALSE(shares.next(3));
}

TEST(ChunkShares, AWorkerWithoutAShareTakesOneChunkAtATimeFromTheEnd) {
    Shares shares(6, 2);  // shares [0, 3), [3, 6); worker 2 has none
    EXPECT_FALSE(shares.shares.drained());
    EXPECT_EQ(shares.next(2), 2u);  // the last chunk of the first largest share
    EXPECT_EQ(shares.next(2), 5u);  // now [3, 6) is the largest
    EXPECT_EQ(shares.next(0), 0u);
    EXPECT_EQ(shares.next(0), 1u);
    EXPECT_EQ(shares.next(1), 3u);
    EXPECT_EQ(shares.next(2), 4u);
    EXPECT_TRUE(shares.shares.drained());
    EXPECT_FALSE(shares.next(2));
}

TEST(ChunkShares, AProcessAttachesToTheWordsAsLeft) {
    std::vector<ChunkShares::Word> words(2);
    ChunkShares mine(words.data(), 2, 4);
    EXPECT_EQ(mine.next(0), 0u);
    ChunkShares theirs = ChunkShares::attach(words.data(), 2);
    EXPECT_EQ(theirs.next(0), 1u);
    EXPECT_EQ(theirs.next(1), 2u);
}

}  // namespace
}  // namespace parapipe::detail
