#pragma once
// The progress line of `parapipe bench` on stderr: runs done of all, the configuration running
// and the time so far. Drawn only when stderr is a terminal (nothing on a pipe or in a file);
// redrawn from the runner's wait loop, so no thread of its own. Not thread-safe.
#include <chrono>
#include <string>

namespace parapipe::cli::bench {

class BenchProgress {
public:
    explicit BenchProgress(unsigned total_runs);
    ~BenchProgress();
    BenchProgress(const BenchProgress&) = delete;
    BenchProgress& operator=(const BenchProgress&) = delete;

    bool enabled() const { return enabled_; }
    /// Names what runs now ("threads, 2 workers, 8MiB: run 2 of 3").
    void set_label(std::string label);
    /// Counts one finished run.
    void run_done();
    /// Redraws at most every 100 ms.
    void tick();
    /// Clears the line (before printing anything else to the terminal).
    void clear();

private:
    void draw();
    bool enabled_;
    unsigned total_, done_ = 0;
    std::string label_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace parapipe::cli::bench
