#pragma once
// Atomic output: data goes to a temporary file beside the target, which is renamed over the
// target only when complete. Creating the temporary file up front turns an unwritable output
// into an error before any work. A destroyed, uncommitted OutputFile leaves nothing behind.
// The file gets the mode of the file it replaces, or 0666 less the umask, as with `>`.
// A target that is a device, a FIFO or /dev/stdout-like link is written directly instead.
#include <sys/types.h>

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
    /// The same in pieces: write() appends (a large output is never held whole), commit() ends.
    void write(std::string_view data);
    void commit();

private:
    std::string path_;
    std::string tmp_;
    int fd_ = -1;
};

/// The mode a new output file gets: that of the file it replaces, else 0666 less the umask.
mode_t target_mode(const std::string& path);

/// Writes `data` to `path` atomically (see OutputFile).
void write_file_atomically(const std::string& path, std::string_view data);

}  // namespace parapipe::cli
