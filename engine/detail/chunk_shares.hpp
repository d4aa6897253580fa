#pragma once
// Which chunk each worker runs next, when the workers fold into partials of their own (Mode::
// threads, Mode::shm). Each worker starts with a contiguous share of the chunks and takes them in
// order; one whose share is done takes the back half of the largest share left.
//
// Contiguous shares keep each partial's keys few: neighbouring chunks of a text share most of
// their words, far chunks (another book, another language) fewer. Chunks dealt in turn, as a
// queue deals them, gave every partial nearly every key of the input: 9.2 MB of real text in 8
// languages: on 2 threads the chunks took 12% longer in all than on one, with 16% more page
// faults (docs/performance-history.md).
// Taking from the largest share left keeps the end balanced as a queue does.
//
// Lock-free, so that the words may live in a segment shared by processes that can die at any
// point: each share is one atomic word, [next, end) as two 32-bit halves, and a claim is one
// compare-and-swap. A steal is two steps (shrink the victim's share, then set the thief's own),
// so a thief that dies between them loses the rest of what it stole: the shm coordinator finds
// such chunks unowned and has them run again, as it does for a worker that dies mid-claim.
// Relaxed: a share only hands out indices, and whatever a chunk reads was ready before the
// workers started. So the claims put no happens-before edge between two workers' chunks, and
// ThreadSanitizer still sees a race between them.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <parapipe/engine/errors.hpp>

namespace parapipe::detail {

class ChunkShares {
public:
    using Word = std::atomic<std::uint64_t>;
    static constexpr std::size_t max_chunks = std::numeric_limits<std::uint32_t>::max();

    /// Over `count` words (one per worker): worker w's share is [chunks·w/count, chunks·(w+1)/count).
    ChunkShares(Word* words, std::size_t count, std::size_t chunks) : words_(words), count_(count) {
        if (chunks > max_chunks)
            throw Error("more than " + std::to_string(max_chunks) + " chunks: give a larger --chunk-size");
        for (std::size_t w = 0; w < count; ++w)
            words[w].store(pack(chunks * w / count, chunks * (w + 1) / count), relaxed);
    }
    /// The words as another process left them (a forked worker of Mode::shm).
    static ChunkShares attach(Word* words, std::size_t count) { return ChunkShares(words, count); }

    /// The next chunk of worker w, or none once every chunk is taken. A worker without a share
    /// of its own (w >= count) takes one chunk at a time from the end of the largest share.
    std::optional<std::size_t> next(std::size_t w) {
        for (;;) {
            if (w < count_) {
                std::uint64_t v = words_[w].load(relaxed);
                while (first(v) < last(v))
                    if (words_[w].compare_exchange_weak(v, pack(first(v) + 1, last(v)), relaxed)) return first(v);
            }
            Word* victim = nullptr;
            std::uint64_t seen = 0;
            for (std::size_t s = 0; s < count_; ++s) {
                const std::uint64_t v = words_[s].load(relaxed);
                if (last(v) > first(v) && (!victim || last(v) - first(v) > last(seen) - first(seen)))
                    victim = &words_[s], seen = v;
            }
            if (!victim) return std::nullopt;
            const std::uint64_t from = first(seen), to = last(seen);
            if (w >= count_) {
                if (victim->compare_exchange_strong(seen, pack(from, to - 1), relaxed)) return to - 1;
                continue;
            }
            const std::uint64_t mid = from + (to - from) / 2;
            if (!victim->compare_exchange_strong(seen, pack(from, mid), relaxed)) continue;  // it moved: look again
            words_[w].store(pack(mid + 1, to), relaxed);
            return mid;
        }
    }

    /// True when no chunk is left to take.
    bool drained() const {
        for (std::size_t s = 0; s < count_; ++s) {
            const std::uint64_t v = words_[s].load(relaxed);
            if (first(v) < last(v)) return false;
        }
        return true;
    }

private:
    static constexpr auto relaxed = std::memory_order_relaxed;
    ChunkShares(Word* words, std::size_t count) : words_(words), count_(count) {}
    static std::uint64_t pack(std::uint64_t from, std::uint64_t to) { return from << 32 | to; }
    static std::uint64_t first(std::uint64_t v) { return v >> 32; }
    static std::uint64_t last(std::uint64_t v) { return v & 0xffffffffu; }

    Word* words_;
    std::size_t count_;
};

}  // namespace parapipe::detail
