#pragma once
// Which chunk each worker runs next, when the workers fold into partials of their own. Each
// worker starts with a contiguous share of the chunks and takes them in order; one whose share
// is done takes the back half of the largest share left (its last chunk, when one is left).
//
// Contiguous shares keep each partial's keys few: neighbouring chunks of a text share most of
// their words, far chunks (another book, another language) fewer. Handing chunks out in turn,
// as a queue does, gives every partial nearly every key of the input. 9.2 MB of real text in 8
// languages, 2 threads: each table held most of the 174,640 words, and their chunks took 12%
// longer than one thread's (docs/performance-history.md). Taking from the largest share keeps
// the end balanced as a queue does.
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace parapipe::detail {

class ChunkShares {
public:
    ChunkShares(std::size_t chunks, unsigned workers) {
        workers = workers == 0 ? 1 : workers;
        for (unsigned w = 0; w < workers; ++w) share_.push_back({chunks * w / workers, chunks * (w + 1) / workers});
    }

    /// The next chunk of `worker` (< the workers given), or none once every chunk is taken.
    std::optional<std::size_t> next(unsigned worker) {
        std::lock_guard lock(mutex_);
        Share& own = share_[worker];
        if (own.first == own.second) {
            Share* largest = &own;
            for (Share& s : share_)
                if (s.second - s.first > largest->second - largest->first) largest = &s;
            if (largest == &own) return std::nullopt;
            const std::size_t mid = largest->first + (largest->second - largest->first) / 2;
            own = {mid, largest->second};
            largest->second = mid;
        }
        return own.first++;
    }

private:
    using Share = std::pair<std::size_t, std::size_t>;  // [next, end)
    std::mutex mutex_;
    std::vector<Share> share_;
};

}  // namespace parapipe::detail
