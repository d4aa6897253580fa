#pragma once
// The one directory walker every source uses (text_files, lines, files, the image inputs), so
// that they agree on which files a folder holds:
//   - a path given explicitly is used as given (a file, a FIFO, a device, "-" for stdin);
//   - a folder is walked recursively, entries in byte order of their names;
//   - inside folders only regular files are taken (symlinks to files are followed; symlinked
//     folders are not, so loops cannot happen; dangling or looping links are skipped);
//   - hidden entries (names starting with '.') are skipped unless WalkOptions::hidden;
//   - a missing path or an unreadable folder is a UsageError naming it.
// Paths are the argument joined with the path inside it ("logs" + "/" + "2024/a.log").
// Thread-safe (no shared state).
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

}  // namespace parapipe
