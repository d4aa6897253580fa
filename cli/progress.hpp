#pragma once
// A progress line on stderr (done of total, MB/s, ETA), redrawn a few times a second by a
// background thread, shown only once a run has taken about a second.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include <parapipe/engine/fork_gate.hpp>

namespace parapipe::cli {

enum class ProgressWhen { auto_, always, never };

class Progress {
public:
    /// `unit` is "B" (shown as MB, MB/s) or "px" (MPix); `total` may be 0 when unknown.
    /// `label`, when given, starts the line ("reading <stdin>").
    Progress(ProgressWhen when, std::uint64_t total, std::string unit = "B", std::string label = {});
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    std::atomic<std::uint64_t>* counter() { return &done_; }
    /// Stops the thread and clears the line.
    void finish();

private:
    void draw(bool final);
    std::atomic<std::uint64_t> done_{0};
    std::uint64_t total_;
    std::string unit_;
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    std::atomic<bool> stop_{false};
    std::chrono::steady_clock::time_point start_;
    ForkGate::Thread thread_;  // workers are forked while the line is redrawn
};

}  // namespace parapipe::cli
