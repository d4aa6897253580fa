#include "cli/output_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "engine/errors.hpp"

namespace parapipe::cli {

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    fs::path p(path_);
    if (std::error_code ec; fs::is_directory(p, ec)) throw UsageError("output " + path_ + " is a directory");
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    tmp_ = (dir / ("." + p.filename().string() + ".tmp-XXXXXX")).string();
    fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
    if (fd_ < 0) throw UsageError("cannot write output " + path_ + ": " + std::strerror(errno));
    ::fchmod(fd_, 0644);
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(tmp_.c_str());
    }
}

void OutputFile::commit(std::string_view data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t w = ::write(fd_, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw Error("cannot write output " + path_ + ": " + std::strerror(errno));
        p += w;
        left -= static_cast<std::size_t>(w);
    }
    if (::fsync(fd_) != 0) throw Error("cannot write output " + path_ + ": " + std::strerror(errno));
    if (::close(fd_) != 0) {
        fd_ = -1;
        ::unlink(tmp_.c_str());
        throw Error("cannot write output " + path_ + ": " + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp_.c_str());
        throw Error("cannot write output " + path_ + ": " + std::strerror(e));
    }
}

void write_file_atomically(const std::string& path, std::string_view data) { OutputFile(path).commit(data); }

}  // namespace parapipe::cli
