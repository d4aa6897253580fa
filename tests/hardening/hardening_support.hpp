#pragma once
// Helpers of the hardening tests: running the parapipe binary with a hook in the child before
// exec (drop root, set rlimits), fast generation of big inputs, sanitizer detection.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PARAPIPE_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PARAPIPE_UNDER_SANITIZER 1
#endif
#endif
#ifndef PARAPIPE_UNDER_SANITIZER
#define PARAPIPE_UNDER_SANITIZER 0
#endif

namespace parapipe::hardening {

using testing::Exec;

inline const char* parapipe_bin() {
    const char* bin = std::getenv("PARAPIPE_BIN");
    if (!bin) throw std::runtime_error("PARAPIPE_BIN is not set (run the tests through ctest)");
    return bin;
}

/// Where the child's standard streams come from and go to.
struct Redirect {
    std::string stdin_path = "/dev/null";
    std::string stdout_path;  ///< empty: captured into Exec::out
};

/// Runs $PARAPIPE_BIN with args; `in_child` runs in the forked child just before exec (it may
/// _exit(126) to report that it could not set things up). stdout and stderr are captured
/// through files in `scratch`, so huge outputs never sit in a pipe.
inline Exec run_with(const std::vector<std::string>& args, const std::function<void()>& in_child,
                     const std::string& scratch, const Redirect& io = {}) {
    const std::string out_path = io.stdout_path.empty() ? scratch + "/.stdout" : io.stdout_path;
    const std::string err_path = scratch + "/.stderr";
    const char* bin = parapipe_bin();
    pid_t pid = ::fork();
    if (pid == 0) {
        int in = ::open(io.stdin_path.c_str(), O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0) ::_exit(126);
        ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
        if (in_child) in_child();
        std::vector<char*> argv{const_cast<char*>(bin)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(bin, argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Exec r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (io.stdout_path.empty()) r.out = testing::read_file(out_path);
    r.err = testing::read_file(err_path);
    ::unlink(err_path.c_str());
    if (io.stdout_path.empty()) ::unlink(out_path.c_str());
    return r;
}

/// In a forked child: become nobody (65534), so permissions apply even when tests run as root.
inline void become_nobody() {
    if (::geteuid() != 0) return;
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(126);
}

/// In a forked child: files may not grow past `bytes`; writes beyond fail with EFBIG instead of
/// raising SIGXFSZ (ignored dispositions survive exec). Simulates a full disk.
inline void limit_file_size(rlim_t bytes) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl {bytes, bytes};
    if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) ::_exit(126);
}

/// Writes `total` bytes made of `pattern` repeated (the last copy cut short) to `path`, fast.
inline void write_repeated(const std::string& path, const std::string& pattern, std::uint64_t total) {
    std::string block;
    while (block.size() < (std::size_t{1} << 20)) block += pattern;
    block.resize(block.size() / pattern.size() * pattern.size());
    std::ofstream f(path, std::ios::binary);
    for (std::uint64_t left = total; left > 0;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
        f.write(block.data(), static_cast<std::streamsize>(n));
        left -= n;
    }
    if (!f) throw std::runtime_error("cannot write " + path);
}

/// Number of lines in `text`.
inline long lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace parapipe::hardening
