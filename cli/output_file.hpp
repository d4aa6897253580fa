#pragma once
// Atomic output: data goes to a temporary file beside the target, which is renamed over the
// target only when complete. Creating the temporary file up front turns an unwritable output
// into an error before any work. A destroyed, uncommitted OutputFile leaves nothing behind.
// A target that is a device, a FIFO or /dev/stdout-like link is written directly instead.
#include <string>
#include <string_view>

namespace parapipe::cli {

class OutputFile {
public:
    /// Throws UsageError when the target's directory cannot take a new file.
    explicit OutputFile(std::string path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Writes everything, flushes it to disk and renames it into place. Throws Error on failure
    /// (disk full...), leaving the previous target untouched.
    void commit(std::string_view data);

private:
    std::string path_;
    std::string tmp_;
    int fd_ = -1;
};

/// Writes `data` to `path` atomically (see OutputFile).
void write_file_atomically(const std::string& path, std::string_view data);

}  // namespace parapipe::cli
