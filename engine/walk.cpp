#include <parapipe/engine/walk.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
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

// Longest pieces handed to the kernel at once (PATH_MAX counts the terminating NUL).
constexpr std::size_t max_piece = PATH_MAX - 1;

// Opens the folder holding the last piece of a long `path` in steps of at most max_piece bytes
// cut at '/', and returns it with the offset where the last piece starts; -1 and errno on
// failure. Only called when path.size() > max_piece.
int open_parent_in_pieces(const std::string& path, std::size_t& rest) {
    int dir = AT_FDCWD;
    std::size_t at = 0;
    if (path.front() == '/') {
        dir = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) return -1;
        at = 1;
    }
    while (path.size() - at > max_piece) {
        // The last '/' within reach: everything before it is one piece of whole names.
        const std::size_t slash = path.rfind('/', at + max_piece - 1);
        if (slash == std::string::npos || slash < at) {
            if (dir != AT_FDCWD) ::close(dir);
            errno = ENAMETOOLONG;  // a single name longer than PATH_MAX
            return -1;
        }
        const std::string piece = path.substr(at, slash - at + 1);
        const int next = ::openat(dir, piece.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        const int e = errno;
        if (dir != AT_FDCWD) ::close(dir);
        if (next < 0) {
            errno = e;
            return -1;
        }
        dir = next;
        at = slash + 1;
    }
    rest = at;
    return dir;
}

struct Entry {
    std::string name;
    bool dir;
};

// Lists the folder open at `fd` (shown as `shown`): the names to take, in byte order, each
// marked folder or file. fd stays open.
std::vector<Entry> list_dir(int fd, const std::string& shown, const WalkOptions& opt) {
    const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
    if (!d) {
        int e = errno;
        if (dup >= 0) ::close(dup);
        throw UsageError("cannot read directory " + shown + ": " + std::strerror(e));
    }
    std::vector<std::string> names;
    while (dirent* ent = ::readdir(d)) {
        std::string_view name = ent->d_name;
        if (name == "." || name == "..") continue;
        if (!opt.hidden && name.front() == '.') continue;
        names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    std::vector<Entry> entries;
    for (std::string& name : names) {
        struct stat lst {};
        if (::fstatat(fd, name.c_str(), &lst, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;  // removed while we walk
            throw UsageError("cannot read " + join(shown, name) + ": " + std::strerror(errno));
        }
        if (S_ISDIR(lst.st_mode)) {
            entries.push_back({std::move(name), true});
            continue;
        }
        bool regular = S_ISREG(lst.st_mode);
        if (S_ISLNK(lst.st_mode)) {
            struct stat st {};
            // Links to files count; links to folders are not followed; dangling or looping
            // links (ENOENT, ELOOP) are skipped.
            regular = ::fstatat(fd, name.c_str(), &st, 0) == 0 && S_ISREG(st.st_mode);
        }
        if (regular) entries.push_back({std::move(name), false});  // FIFOs, sockets, devices are not inputs
    }
    return entries;
}

// Walks the folder open at `fd` (shown as `shown`), relative to descriptors, holding one at a
// time however deep the tree is: a subfolder is entered with openat(fd, name) and fd closed, and
// left with openat(sub, ".."), checked to be the same folder (else reopened by path, any length:
// open_path). The folders being walked are a stack of their own, not the call stack, so depth is
// bounded by memory only (a recursion ran out of stack at 2,500 levels under AddressSanitizer).
// On return fd is open on the same folder again.
void walk_dir(int& fd, const std::string& shown, const WalkOptions& opt, std::vector<std::string>& out) {
    struct Folder {
        std::string shown;
        std::vector<Entry> entries;
        std::size_t next = 0;
        dev_t dev = 0;
        ino_t ino = 0;
    };
    std::vector<Folder> open;  // the root, then each subfolder being walked
    auto enter = [&](std::string path) {  // fd is open on `path`
        struct stat self {};
        if (::fstat(fd, &self) != 0) throw UsageError("cannot read directory " + path + ": " + std::strerror(errno));
        auto entries = list_dir(fd, path, opt);
        open.push_back({std::move(path), std::move(entries), 0, self.st_dev, self.st_ino});
    };
    enter(shown);
    while (true) {
        Folder& here = open.back();
        if (here.next == here.entries.size()) {  // done here: back up to the parent
            open.pop_back();
            if (open.empty()) return;
            const Folder& parent = open.back();
            const int up = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            ::close(fd);
            fd = up;
            struct stat back {};
            if (fd < 0 || ::fstat(fd, &back) != 0 || back.st_dev != parent.dev || back.st_ino != parent.ino) {
                if (fd >= 0) ::close(fd);
                fd = open_path(parent.shown, O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // the subfolder moved meanwhile
                if (fd < 0 || ::fstat(fd, &back) != 0 || back.st_dev != parent.dev || back.st_ino != parent.ino) {
                    if (fd >= 0) ::close(fd);
                    fd = -1;
                    throw UsageError("cannot read directory " + parent.shown + ": it was moved while being read");
                }
            }
            continue;
        }
        const Entry& entry = here.entries[here.next++];
        std::string path = join(here.shown, entry.name);
        if (!entry.dir) {
            if (!opt.accept || opt.accept(path)) out.push_back(std::move(path));
            continue;
        }
        const int sub = ::openat(fd, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sub < 0) {
            if (errno == ENOENT) continue;  // removed while we walk
            throw UsageError("cannot read directory " + path + ": " + std::strerror(errno));
        }
        ::close(fd);
        fd = sub;
        enter(std::move(path));  // invalidates `here` and `entry`
    }
}

}  // namespace

int open_path(const std::string& path, int flags) {
    if (path.size() <= max_piece) return ::open(path.c_str(), flags);
    std::size_t rest = 0;
    const int dir = open_parent_in_pieces(path, rest);
    if (dir == -1) return -1;
    const int fd = ::openat(dir, path.c_str() + rest, flags);
    const int e = errno;
    if (dir != AT_FDCWD) ::close(dir);
    errno = e;
    return fd;
}

int stat_path(const std::string& path, struct stat& st) {
    if (path.size() <= max_piece) return ::stat(path.c_str(), &st);
    std::size_t rest = 0;
    const int dir = open_parent_in_pieces(path, rest);
    if (dir == -1) return -1;
    const int r = ::fstatat(dir, path.c_str() + rest, &st, 0);
    const int e = errno;
    if (dir != AT_FDCWD) ::close(dir);
    errno = e;
    return r;
}

std::vector<std::string> walk(const std::vector<std::string>& paths, const WalkOptions& opt) {
    std::vector<std::string> out;
    for (const std::string& path : paths) {
        if (path == "-") {
            out.push_back(path);
            continue;
        }
        struct stat st {};
        if (stat_path(path, st) != 0) {
            int e = errno;
            if (e == ENOENT || e == ENOTDIR) throw UsageError("no such file or directory: " + path);
            throw UsageError("cannot read " + path + ": " + std::strerror(e));  // ELOOP, EACCES
        }
        if (!S_ISDIR(st.st_mode)) {
            out.push_back(path);
            continue;
        }
        int fd = open_path(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw UsageError("cannot read directory " + path + ": " + std::strerror(errno));
        try {
            walk_dir(fd, path, opt, out);
        } catch (...) {
            if (fd >= 0) ::close(fd);
            throw;
        }
        ::close(fd);
    }
    return out;
}

}  // namespace parapipe
