#pragma once
// The temporary folder of one run's spilled partials (RunOptions::memory_limit): named under
// $TMPDIR (or /tmp) when the run starts, parapipe-spill-<pid>-<random> so the next run can remove
// the folder of a coordinator that died (as stale shm segments are), and created (mode 0700) by
// the first spill, in whichever process: a run that spills nothing touches no disk, and works
// with $TMPDIR unwritable. Sorted runs are
// files in it named run-<pid>-<n>: forked workers write theirs into the same folder, and the
// coordinator drops those of workers whose partial it does not use (a worker that died, a
// straggler whose backup won). Removed with everything in it when the last owner lets go, in
// the process that created it only (a forked worker's copy removes nothing).
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parapipe {

class SpillFolder {
public:
    /// Names the folder under `parent` (empty: $TMPDIR, else /tmp); new_run() creates it.
    explicit SpillFolder(const std::string& parent = {});
    ~SpillFolder();
    SpillFolder(const SpillFolder&) = delete;
    SpillFolder& operator=(const SpillFolder&) = delete;

    const std::string& path() const { return path_; }
    /// A fresh file name for a run of this process: path()/<prefix>-<pid>-<n>. Creates the folder
    /// first if no process has yet; throws Error naming it when it cannot.
    std::string new_run(const char* prefix = "run");
    /// The runs named <prefix>-*, sorted by name (a deterministic merge order).
    std::vector<std::string> runs(const char* prefix = "run") const;
    /// Removes the runs written by process `pid` (a worker whose partial is not used).
    void drop_runs_of(pid_t pid);
    /// Removes one file (a run that has been merged into another).
    void remove(const std::string& file) const;
    /// The one-line error of a failed write, naming the folder.
    [[noreturn]] void fail(const char* what, int err) const;

    /// Bytes a finalize that reads the runs back may hold (a second external sort's buffer).
    std::size_t merge_budget = std::size_t{64} << 20;

    /// Removes parapipe-spill-<pid>-* folders under `parent` whose process is gone.
    static int remove_stale(const std::string& parent);

private:
    std::string path_;
    pid_t owner_;
    std::atomic<std::uint64_t> next_{0};
};

}  // namespace parapipe
