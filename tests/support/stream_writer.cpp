#include "tests/support/stream_writer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>
#include <utility>

namespace parapipe::testing {

StreamWriter::StreamWriter(std::string fifo, std::string data) : path_(std::move(fifo)), data_(std::move(data)) {
    start(-1);
}

StreamWriter::StreamWriter(int fd, std::string data) : data_(std::move(data)) { start(fd); }

void StreamWriter::join() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        released_ = true;
    }
    joining_.notify_all();
    if (!done_.load() && !path_.empty()) {
        int drain = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        char buf[65536];
        while (drain >= 0 && !done_.load())
            if (::read(drain, buf, sizeof buf) <= 0) std::this_thread::yield();
        if (drain >= 0) ::close(drain);
    }
    thread_.join();
}

void StreamWriter::start(int fd) {
    thread_ = ForkGate::Thread([this, fd](ForkGate::Pass& pass) {
        sigset_t pipe_signal;  // a reader gone early gives EPIPE here, not a dead test process
        ::sigemptyset(&pipe_signal);
        ::sigaddset(&pipe_signal, SIGPIPE);
        ::pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        const int out = fd >= 0 ? fd : pass.aside([&] { return ::open(path_.c_str(), O_WRONLY | O_CLOEXEC); });
        for (std::size_t off = 0; out >= 0 && off < data_.size();) {
            const ssize_t w = pass.aside([&] { return ::write(out, data_.data() + off, data_.size() - off); });
            if (w <= 0) break;
            off += static_cast<std::size_t>(w);
        }
        if (out >= 0) ::close(out);
        done_.store(true);
        pass.aside([this] {
            std::unique_lock lock(mutex_);
            joining_.wait(lock, [this] { return released_; });
        });
    });
}

std::string make_fifo(const TempDir& dir, const std::string& name) {
    const std::string path = (dir.path() / name).string();
    if (::mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("mkfifo " + path);
    return path;
}

}  // namespace parapipe::testing
