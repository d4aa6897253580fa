#pragma once
// The one directory walker every source uses (text_files, lines, files, the image inputs), so
// that they agree on which files a folder holds:
//   - a path given explicitly is used as given (a file, a FIFO, a device, "-" for stdin);
//   - a folder is walked recursively, entries in byte order of their names;
//   - inside folders only regular files are taken (symlinks to files are followed; symlinked
//     folders are not, so loops cannot happen; dangling or looping links are skipped);
//   - hidden entries (names starting with '.') are skipped unless WalkOptions::hidden;
//   - a missing path or an unreadable folder is a UsageError naming it.
// Paths are the argument joined with the path inside it ("logs" + "/" + "2024/a.log"). They may
// be longer than PATH_MAX (a tree thousands of folders deep): open and stat them with
// open_path() / stat_path() below, which never hand the kernel more than PATH_MAX at once.
// The walk keeps one folder open at a time, so depth does not cost file descriptors either.
// Thread-safe (no shared state).
#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace parapipe {

struct WalkOptions {
    bool hidden = false;  ///< also take entries whose names start with '.'
    /// Keeps only the files found in folders for which accept(path) is true (e.g. by extension);
    /// paths given explicitly are always kept. Empty: keep all.
    std::function<bool(std::string_view path)> accept;
};

/// Every input under `paths`, in order: explicit paths as given, folders expanded.
std::vector<std::string> walk(const std::vector<std::string>& paths, const WalkOptions& options = {});

/// open(2) for a path of any length: a path longer than PATH_MAX is opened in pieces shorter
/// than PATH_MAX, each relative to the folder the previous piece opened. -1 and errno on failure.
int open_path(const std::string& path, int flags);

/// stat(2) (following links) for a path of any length, as open_path(). 0, or -1 and errno.
int stat_path(const std::string& path, struct stat& st);

}  // namespace parapipe
