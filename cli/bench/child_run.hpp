#pragma once
// Runs one benchmark configuration as a child process and measures it from outside: wall time
// from fork to exit, the kernel's peak RSS of the process tree, and (on request) a sampled peak
// of the tree's total PSS. Reading PSS walks page tables (milliseconds for a process mapping
// 256 MiB), so it is only sampled in runs that are not timed. Measuring a separate process keeps every run cold in the same way (fresh heap, fresh
// TBB, fresh forks) and lets baselines in other languages be measured the same way.
// Not thread-safe (one child at a time); polls cli::g_cancel and stops the child on a signal.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace parapipe::cli::bench {

/// What one child run cost. `peak_pss_bytes` is 0 when no sample was taken (very short run).
struct ChildStats {
    double wall_seconds = 0;
    std::uint64_t max_rss_bytes = 0;   ///< ru_maxrss of wait4(): the largest single process of the tree
    std::uint64_t peak_pss_bytes = 0;  ///< peak over samples of the sum of Pss of every live process
    int samples = 0;                   ///< 0 unless sample_memory was asked for
};

/// Runs `argv` (argv[0] is the program; PATH is searched) with stdout and stderr written to
/// the given files; calls `tick` (may be empty) about every 100 ms meanwhile, and samples the
/// tree's PSS every 20 ms when `sample_memory` (which costs CPU: not for timed runs). Throws Error when the child cannot start or exits non-zero (the message
/// carries the child's last stderr line); throws Interrupted when g_cancel is set meanwhile.
ChildStats run_child(const std::vector<std::string>& argv, const std::string& stdout_path,
                     const std::string& stderr_path, const std::function<void()>& tick = {},
                     bool sample_memory = false);

/// The path of the running executable (/proc/self/exe resolved).
std::string self_exe();

}  // namespace parapipe::cli::bench
