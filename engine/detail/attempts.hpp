#pragma once
// The attempt ledger every forked mode shares: how often each chunk was tried, and the error
// when one has used up RunOptions::max_attempts. Only the chunk a worker was on when it died
// counts as an attempt. Not thread-safe: the coordinator owns it.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <parapipe/engine/errors.hpp>
#include <parapipe/engine/plan.hpp>

namespace parapipe::detail {

class AttemptLedger {
public:
    AttemptLedger(std::size_t chunks, unsigned max_attempts)
        : attempts_(chunks, 0), max_attempts_(std::max(1u, max_attempts)) {}

    /// A worker died (wait status text in `how`) while on `chunk`: counts the attempt, and throws
    /// ChunkError naming the chunk when it was the last one allowed.
    template <class P, class R>
    void died_on(const Plan<P, R>& plan, std::size_t chunk, const std::string& how) {
        if (++attempts_[chunk] >= max_attempts_)
            throw ChunkError(plan.describe(chunk) + ": worker " + how + " on each of " + std::to_string(max_attempts_) +
                             " attempts");
    }

    /// A worker died holding no chunk (e.g. while storing its partial): counted per worker slot.
    void died_idle(std::size_t& deaths, const std::string& how, const std::string& doing) const {
        if (++deaths >= max_attempts_)
            throw Error("worker " + how + " while " + doing + ", " + std::to_string(max_attempts_) + " times");
    }

private:
    std::vector<unsigned> attempts_;
    unsigned max_attempts_;
};

}  // namespace parapipe::detail
