#pragma once
// Feeding a stream input from a test: a thread that writes bytes into a FIFO or a pipe, and a
// FIFO made in a TempDir. Shared by the engine's and the CLI's stream tests.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include <parapipe/engine/fork_gate.hpp>

#include "tests/support/test_support.hpp"

namespace parapipe::testing {

/// Writes `data` to a FIFO (or to a pipe's write end) from a thread. join() also finishes a
/// writer whose reader never came or gave up (a failed run): it reads and drops the rest itself.
/// The run it feeds may fork meanwhile, so the thread holds a ForkGate pass, blocks only aside,
/// and exits only when joined (engine/fork_gate.hpp).
class StreamWriter {
public:
    /// A FIFO: opened for writing in the thread (open blocks until the reader opens it).
    StreamWriter(std::string fifo, std::string data);
    /// A pipe: write end fd, closed when all is written.
    StreamWriter(int fd, std::string data);
    ~StreamWriter() { join(); }
    StreamWriter(const StreamWriter&) = delete;
    StreamWriter& operator=(const StreamWriter&) = delete;
    void join();

private:
    void start(int fd);
    std::string path_, data_;
    std::atomic<bool> done_{false};
    std::mutex mutex_;
    std::condition_variable joining_;
    bool released_ = false;  // under mutex_: join() was called, the thread may return
    ForkGate::Thread thread_;
};

/// A new FIFO dir/name (mode 0600); throws std::runtime_error when mkfifo fails.
std::string make_fifo(const TempDir& dir, const std::string& name);

}  // namespace parapipe::testing
