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
#include <array>
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

    /// A chunk took `seconds`. Only the latest chunks are kept: the median follows the run and
    /// costs the same at a million chunks as at ten.
    void finished(double seconds) {
        recent_[count_ % recent_.size()] = seconds;
        ++count_;
        if (count_ <= 16 || count_ % 32 == 0) dirty_ = true;
    }

    /// The median of the latest finished chunks, 0 before any.
    double median() const {
        if (dirty_) {
            const std::size_t k = std::min(count_, recent_.size());
            sorted_.assign(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(k));
            std::nth_element(sorted_.begin(), sorted_.begin() + static_cast<std::ptrdiff_t>(k / 2), sorted_.end());
            median_ = sorted_[k / 2];
            dirty_ = false;
        }
        return median_;
    }

    /// Seconds after which a chunk counts as stuck.
    double timeout() const {
        if (opt_.chunk_timeout > 0) return opt_.chunk_timeout;
        return std::max(60.0, 20 * median());
    }

    /// True when a chunk that has run `seconds` deserves a backup (some chunk has finished).
    bool straggling(double seconds) const {
        return opt_.backups && count_ > 0 && seconds >= std::max(1.0, 4 * median());
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
    std::array<double, 256> recent_{};
    std::size_t count_ = 0;
    mutable std::vector<double> sorted_;
    mutable double median_ = 0;
    mutable bool dirty_ = false;
};

}  // namespace parapipe::detail
