#include "cli/output_file.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <parapipe/engine/errors.hpp>

namespace parapipe::cli {

namespace {

// The process umask, read without changing it (umask() would race with other threads).
mode_t current_umask() {
    std::FILE* f = std::fopen("/proc/self/status", "re");
    unsigned mask = 022;
    if (f) {
        char line[128];
        while (std::fgets(line, sizeof line, f))
            if (std::sscanf(line, "Umask: %o", &mask) == 1) break;
        std::fclose(f);
    }
    return static_cast<mode_t>(mask);
}

}  // namespace

mode_t target_mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;  // keep it
    return 0666 & ~current_umask();  // as open(O_CREAT, 0666) would
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
    namespace fs = std::filesystem;
    fs::path p(path_);
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (fs::is_directory(st)) throw UsageError("output " + path_ + " is a directory");
    // A device or FIFO (/dev/null), or a link to one of our descriptors (/dev/stdout ->
    // /proc/self/fd/1): write into it. Renaming a temporary file over it would replace the node
    // itself (as root, /dev/null or /dev/stdout would become a plain file).
    const bool to_descriptor = fs::read_symlink(p, ec).string().rfind("/proc/", 0) == 0;
    if (fs::exists(st) && (!fs::is_regular_file(st) || to_descriptor)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);  // as if written to that descriptor
        if (fd_ < 0) throw UsageError("cannot write output " + path_ + ": " + std::strerror(errno));
        return;
    }
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::string name = ".";  // appended, not "." + ...: GCC 12 warns falsely (-Wrestrict, PR 105329)
    name += p.filename().string();
    name += ".tmp-XXXXXX";
    tmp_ = (dir / name).string();
    fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
    if (fd_ < 0) throw UsageError("cannot write output " + path_ + ": " + std::strerror(errno));
    ::fchmod(fd_, target_mode(path_));
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        if (!tmp_.empty()) ::unlink(tmp_.c_str());
    }
}

void OutputFile::commit(std::string_view data) {
    write(data);
    commit();
}

void OutputFile::write(std::string_view data) {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t w = ::write(fd_, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw Error("cannot write output " + path_ + ": " + std::strerror(errno));
        p += w;
        left -= static_cast<std::size_t>(w);
    }
}

void OutputFile::commit() {
    if (tmp_.empty()) {  // a device or FIFO: nothing to sync or rename
        const int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0) throw Error("cannot write output " + path_ + ": " + std::strerror(errno));
        return;
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
