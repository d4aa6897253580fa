#include "cli/bench/bench_progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace parapipe::cli::bench {

BenchProgress::BenchProgress(unsigned total_runs)
    : enabled_(::isatty(STDERR_FILENO) == 1),
      total_(total_runs),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

BenchProgress::~BenchProgress() { clear(); }

void BenchProgress::set_label(std::string label) {
    label_ = std::move(label);
    if (enabled_) draw();
}

void BenchProgress::run_done() {
    ++done_;
    if (enabled_) draw();
}

void BenchProgress::tick() {
    if (!enabled_) return;
    if (std::chrono::steady_clock::now() - last_draw_ >= std::chrono::milliseconds(100)) draw();
}

void BenchProgress::clear() {
    if (!drawn_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

void BenchProgress::draw() {
    last_draw_ = std::chrono::steady_clock::now();
    const int width = 24;
    const int filled = total_ ? static_cast<int>(static_cast<double>(done_) / total_ * width) : 0;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(last_draw_ - start_).count();
    char head[96];
    int n = std::snprintf(head, sizeof head, "[%s] %u/%u runs  %lld:%02lld  ", bar.c_str(), done_, total_,
                          static_cast<long long>(secs / 60), static_cast<long long>(secs % 60));
    // A line wider than the terminal wraps and \r no longer returns to its start: cut the label.
    winsize ws{};
    std::size_t cols = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
    std::size_t room = cols > static_cast<std::size_t>(n) + 1 ? cols - static_cast<std::size_t>(n) - 1 : 0;
    std::fprintf(stderr, "\r%s%s\033[K", head, label_.substr(0, room).c_str());
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace parapipe::cli::bench
