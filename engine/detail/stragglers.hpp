#pragma once
// When the process modes give up on a chunk or start it again, as the MapReduce paper's backup
// tasks and Hadoop's and Spark's speculation and task timeouts do. The coordinator times every
// chunk it sees start and finish; from the median of finished chunks it decides:
//  - timeout: a worker on one chunk for RunOptions::chunk_timeout (default: the larger of 60 s and
//    20 medians) is stuck (SIGSTOP, a loop, a deadlock): it is killed and the chunk retried;
//  - backup: once nothing is left to hand out, a chunk running 4 medians (and at least 1 s) is
//    started again on an idle worker; the first result wins.
// Not thread-safe: the coordinator owns it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstddef>
#include <string>
#include <vector>

#include <parapipe/engine/options.hpp>

namespace parapipe::detail {

class ChunkClock {
public:
    using Clock = std::chrono::steady_clock;

    explicit ChunkClock(const RunOptions& opt) : opt_(opt) {}

    /// A chunk took `seconds`.
    void finished(double seconds) {
        // Keeps the samples sorted: a few thousand chunks at most make insertion cheap.
        samples_.insert(std::upper_bound(samples_.begin(), samples_.end(), seconds), seconds);
    }

    /// The median finished chunk, 0 before any.
    double median() const { return samples_.empty() ? 0.0 : samples_[samples_.size() / 2]; }

    /// Seconds after which a chunk counts as stuck.
    double timeout() const {
        if (opt_.chunk_timeout > 0) return opt_.chunk_timeout;
        return std::max(60.0, 20 * median());
    }

    /// True when a chunk that has run `seconds` deserves a backup (some chunk has finished).
    bool straggling(double seconds) const {
        return opt_.backups && !samples_.empty() && seconds >= std::max(1.0, 4 * median());
    }

    static double since(Clock::time_point t) {
        return std::chrono::duration<double>(Clock::now() - t).count();
    }

    /// "timed out after 2.5 s": for the attempt ledger.
    std::string timed_out() const {
        char buf[64];
        std::snprintf(buf, sizeof buf, "timed out after %.3g s", timeout());
        return buf;
    }

    void count_backup() const {
        if (opt_.stats) opt_.stats->backups.fetch_add(1, std::memory_order_relaxed);
    }
    void count_timeout() const {
        if (opt_.stats) opt_.stats->timeouts.fetch_add(1, std::memory_order_relaxed);
    }

private:
    const RunOptions& opt_;
    std::vector<double> samples_;
};

}  // namespace parapipe::detail
