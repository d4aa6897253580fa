#include <parapipe/engine/walk.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <parapipe/engine/errors.hpp>

namespace parapipe {

namespace {

std::string join(const std::string& dir, const std::string& name) {
    return !dir.empty() && dir.back() == '/' ? dir + name : dir + "/" + name;
}

// Walks the folder open at `fd` (shown as `shown`), relative to its descriptor: the depth of
// the tree never makes a path too long to open a folder.
void walk_dir(int fd, const std::string& shown, const WalkOptions& opt, std::vector<std::string>& out) {
    DIR* d = ::fdopendir(fd);
    if (!d) {
        int e = errno;
        ::close(fd);
        throw UsageError("cannot read directory " + shown + ": " + std::strerror(e));
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* ent = ::readdir(d)) {
        std::string_view name = ent->d_name;
        if (name == "." || name == "..") continue;
        if (!opt.hidden && name.front() == '.') continue;
        names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        const std::string path = join(shown, name);
        struct stat lst {};
        if (::fstatat(fd, name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;  // removed while we walk
            int e = errno;
            ::closedir(d);
            throw UsageError("cannot read " + path + ": " + std::strerror(e));
        }
        if (S_ISDIR(lst.st_mode)) {
            int sub = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
            if (sub < 0) {
                int e = errno;
                ::closedir(d);
                throw UsageError("cannot read directory " + path + ": " + std::strerror(e));
            }
            try {
                walk_dir(sub, path, opt, out);
            } catch (...) {
                ::closedir(d);
                throw;
            }
            continue;
        }
        bool regular = S_ISREG(lst.st_mode);
        if (S_ISLNK(lst.st_mode)) {
            struct stat st {};
            // Links to files count; links to folders are not followed; dangling or looping
            // links (ENOENT, ELOOP) are skipped.
            regular = ::fstatat(fd, name.c_str(), &st, 0) == 0 && S_ISREG(st.st_mode);
        }
        if (!regular) continue;  // FIFOs, sockets, devices inside folders are not inputs
        if (opt.accept && !opt.accept(path)) continue;
        out.push_back(path);
    }
    ::closedir(d);
}

}  // namespace

std::vector<std::string> walk(const std::vector<std::string>& paths, const WalkOptions& opt) {
    std::vector<std::string> out;
    for (const std::string& path : paths) {
        if (path == "-") {
            out.push_back(path);
            continue;
        }
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            int e = errno;
            if (e == ENOENT || e == ENOTDIR) throw UsageError("no such file or directory: " + path);
            throw UsageError("cannot read " + path + ": " + std::strerror(e));  // ELOOP, EACCES
        }
        if (!S_ISDIR(st.st_mode)) {
            out.push_back(path);
            continue;
        }
        int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw UsageError("cannot read directory " + path + ": " + std::strerror(errno));
        walk_dir(fd, path, opt, out);
    }
    return out;
}

}  // namespace parapipe
