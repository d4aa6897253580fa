#include "cli/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <thread>

namespace parapipe::cli {

Progress::Progress(ProgressWhen when, std::uint64_t total, std::string unit, std::string label)
    : total_(total),
      unit_(std::move(unit)),
      label_(label.empty() ? "" : label + "  "),
      enabled_(when == ProgressWhen::always || (when == ProgressWhen::auto_ && ::isatty(STDERR_FILENO))),
      start_(std::chrono::steady_clock::now()) {
    if (!enabled_) return;
    thread_ = ForkGate::Thread([this](ForkGate::Pass& pass) {
        while (!stop_.load()) {
            pass.aside([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
            if (std::chrono::steady_clock::now() - start_ > std::chrono::seconds(1)) draw(false);
        }
    });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
    if (thread_.joinable()) {
        stop_.store(true);
        thread_.join();
    }
    if (drawn_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

void Progress::draw(bool) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    double done = static_cast<double>(done_.load());
    const bool px = unit_ == "px";
    const double scale = px ? 1e6 : 1e6;
    const char* name = px ? "MPix" : "MB";
    double rate = secs > 0 ? done / scale / secs : 0;
    char line[160];
    if (total_ > 0) {
        double frac = done / static_cast<double>(total_);
        double eta = rate > 0 ? (static_cast<double>(total_) - done) / scale / rate : 0;
        std::snprintf(line, sizeof line, "\r%.1f / %.1f %s  %3.0f%%  %.1f %s/s  ETA %.0fs\033[K", done / scale,
                      static_cast<double>(total_) / scale, name, frac * 100, rate, name, eta);
    } else {
        std::snprintf(line, sizeof line, "\r%s%.1f %s  %.1f %s/s\033[K", label_.c_str(), done / scale, name, rate, name);
    }
    std::fputs(line, stderr);
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace parapipe::cli
