#pragma once
// Reads a standard input that is a pipe into an unlinked temporary file, counting the bytes
// for the progress line, so a large stream shows progress while it is read rather than
// nothing until the engine has copied it. Returns the path to give the engine in place of "-"
// (/proc/self/fd/N: a regular file, mapped without another copy), or "-" when stdin is already
// a regular file. Throws Interrupted when `cancel` is set meanwhile.
#include <atomic>
#include <cstdint>
#include <string>

namespace parapipe::cli {

class StdinSpool {
public:
    StdinSpool() = default;
    ~StdinSpool();
    StdinSpool(const StdinSpool&) = delete;
    StdinSpool& operator=(const StdinSpool&) = delete;

    std::string read(std::atomic<std::uint64_t>& bytes, const std::atomic<int>& cancel);

private:
    int fd_ = -1;
};

}  // namespace parapipe::cli
