#pragma once
// Exceptions the engine throws. Each carries enough context for one clear line.
#include <stdexcept>
#include <string>

namespace parapipe {

/// Base of every parapipe error.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The user asked for something impossible: bad argument, missing path. CLI exit code 2.
class UsageError : public Error {
public:
    using Error::Error;
};

/// Work on one chunk failed (operator exception, or a worker died on it every attempt).
class ChunkError : public Error {
public:
    using Error::Error;
};

/// The run was interrupted by a signal; the CLI exits 128 + signal.
class Interrupted : public Error {
public:
    explicit Interrupted(int sig) : Error("interrupted by signal " + std::to_string(sig)), signal_(sig) {}
    int signal() const noexcept { return signal_; }

private:
    int signal_;
};

}  // namespace parapipe
