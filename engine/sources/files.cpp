#include <parapipe/engine/sources/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <parapipe/engine/errors.hpp>

namespace parapipe {

FilesSource::FilesSource(const std::vector<std::string>& paths, std::size_t chunk_size, const WalkOptions& walk_options) {
    if (chunk_size == 0) throw UsageError("chunk size must be at least 1 byte");
    for (std::string& path : walk(paths, walk_options)) {
        if (path == "-") throw UsageError("files() reads whole files; standard input is not one");
        struct stat st {};
        if (stat_path(path, st) != 0) throw UsageError("cannot read " + path + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) throw UsageError("not a regular file: " + path);
        sizes_.push_back(static_cast<std::uint64_t>(st.st_size));
        paths_.push_back(std::move(path));
    }
    std::uint64_t filled = 0;
    for (std::size_t i = 0; i < paths_.size(); ++i) {
        if (filled > 0 && filled + sizes_[i] > chunk_size) {
            chunk_begin_.push_back(i);
            filled = 0;
        }
        filled += std::max<std::uint64_t>(sizes_[i], 1);
    }
    if (!paths_.empty()) chunk_begin_.push_back(paths_.size());
}

std::uint64_t FilesSource::weight(std::size_t chunk) const {
    std::uint64_t n = 0;
    for (std::size_t i = chunk_begin_[chunk]; i < chunk_begin_[chunk + 1]; ++i) n += sizes_[i];
    return n;
}

std::string FilesSource::describe(std::size_t chunk) const {
    const std::size_t first = chunk_begin_[chunk], last = chunk_begin_[chunk + 1] - 1;
    return first == last ? paths_[first] : paths_[first] + " .. " + paths_[last];
}

// read(2) rather than a mapping: a file truncated by someone else while we read it gives a
// short read here, never a SIGBUS.
void FilesSource::read(std::size_t i, std::string& out) const {
    const std::string& path = paths_[i];
    int fd = open_path(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot read " + path + ": " + std::strerror(errno));
    // A file that grew since it was listed is read as it was then, as text sources do.
    out.resize(static_cast<std::size_t>(sizes_[i]));
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t r = ::read(fd, out.data() + got, out.size() - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            ::close(fd);
            throw Error("cannot read " + path + ": " + std::strerror(e));
        }
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
    }
    ::close(fd);
    if (got < out.size())
        throw Error(path + " was truncated while being read (" + std::to_string(sizes_[i]) + " bytes when listed, " +
                    std::to_string(got) + " now)");
}

}  // namespace parapipe
