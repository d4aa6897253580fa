#include "cli/bench/child_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/bench/placeholders.hpp"
#include "cli/command.hpp"
#include <parapipe/engine/errors.hpp>

namespace parapipe::cli::bench {

namespace {

constexpr int kSampleMillis = 20;
constexpr int kTickMillis = 100;

// Direct children of every thread of `pid` (workers may be forked from any thread).
std::vector<pid_t> children_of(pid_t pid) {
    std::vector<pid_t> out;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
        std::ifstream f(task.path() / "children");
        pid_t c;
        while (f >> c) out.push_back(c);
    }
    return out;
}

// Pss of one process in bytes; 0 when it is gone (or a zombie: it has no memory left).
std::uint64_t pss_bytes(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string key;
    std::uint64_t kib = 0;
    while (f >> key) {
        if (key == "Pss:") {
            f >> kib;
            return kib * 1024;
        }
        f.ignore(1 << 20, '\n');
    }
    return 0;
}

// Sum of Pss over the tree rooted at `root`. PSS splits each shared page among the processes
// that map it, so summing counts the shared segment and the mapped input once, not per worker.
std::uint64_t tree_pss(pid_t root) {
    std::uint64_t sum = 0;
    std::vector<pid_t> todo{root};
    for (std::size_t guard = 0; !todo.empty() && guard < 4096; ++guard) {
        pid_t p = todo.back();
        todo.pop_back();
        sum += pss_bytes(p);
        for (pid_t c : children_of(p)) todo.push_back(c);
    }
    return sum;
}

std::string last_line(const std::string& path) {
    std::ifstream f(path);
    std::string line, last;
    while (std::getline(f, line))
        if (!line.empty()) last = line;
    return last;
}

// The command line for an error message; a long list of inputs is cut short.
std::string shown(const std::vector<std::string>& argv) {
    constexpr std::size_t kMax = 300;
    std::string line = shell_line(argv);
    return line.size() <= kMax ? line : line.substr(0, kMax) + " ...";
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

// Only async-signal-safe calls between fork and exec: everything is prepared before the fork.
[[noreturn]] void exec_child(char* const* args, const char* out, const char* err) {
    int e = ::open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int o = ::open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o < 0 || e < 0 || ::dup2(o, STDOUT_FILENO) < 0 || ::dup2(e, STDERR_FILENO) < 0) ::_exit(126);
    int in = ::open("/dev/null", O_RDONLY);
    if (in >= 0) ::dup2(in, STDIN_FILENO);  // a child never reads the terminal
    ::execvp(args[0], args);
    const char msg[] = "cannot start the program (exec failed)\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
}

}  // namespace

std::string self_exe() {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw Error("cannot find the parapipe executable: /proc/self/exe: " + ec.message());
    return p.string();
}

ChildStats run_child(const std::vector<std::string>& argv, const std::string& stdout_path,
                     const std::string& stderr_path, const std::function<void()>& tick, bool sample_memory) {
    ChildStats st;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("cannot fork: ") + std::strerror(errno));
    if (pid == 0) exec_child(args.data(), stdout_path.c_str(), stderr_path.c_str());

    int pidfd = open_pidfd(pid);
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    bool exited = false;
    while (!exited) {
        if (g_cancel.load() != 0) {
            ::kill(pid, SIGTERM);
            int status;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (pidfd >= 0) ::close(pidfd);
            throw Interrupted(g_cancel.load());
        }
        // Sample first, then wait: a sample never delays noticing the exit by more than its own cost.
        if (sample_memory) {
            std::uint64_t pss = tree_pss(pid);
            if (pss > 0) {
                st.peak_pss_bytes = std::max(st.peak_pss_bytes, pss);
                ++st.samples;
            }
        }
        if (tick) tick();
        const int wait_ms = sample_memory ? kSampleMillis : kTickMillis;
        if (pidfd >= 0) {
            // The exit wakes the poll at once: the wall time does not depend on the interval.
            pollfd p{pidfd, POLLIN, 0};
            int r = ::poll(&p, 1, wait_ms);
            if (r > 0) exited = true;
            else if (r < 0 && errno != EINTR) throw Error(std::string("poll: ") + std::strerror(errno));
        } else {
            // Old kernel without pidfd: a 1 ms wait loop, so the wall time is off by 1 ms at most.
            for (int i = 0; i < wait_ms && !exited; ++i) {
                siginfo_t info{};
                if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
                    exited = true;
                else
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
    }
    st.wall_seconds = elapsed();
    if (pidfd >= 0) ::close(pidfd);

    int status = 0;
    rusage ru{};
    while (::wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) throw Error(std::string("wait4: ") + std::strerror(errno));
    }
    // Linux: ru_maxrss in KiB; for a waited child it covers the child and its reaped descendants
    // as the largest of them, not their sum.
    st.max_rss_bytes = static_cast<std::uint64_t>(ru.ru_maxrss) * 1024;

    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (g_cancel.load() != 0) throw Interrupted(g_cancel.load());
        throw Error("`" + shown(argv) + "` was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")");
    }
    if (WEXITSTATUS(status) != 0) {
        int code = WEXITSTATUS(status);
        if (g_cancel.load() != 0) throw Interrupted(g_cancel.load());
        std::string why = last_line(stderr_path);
        throw Error("`" + shown(argv) + "` exited with status " + std::to_string(code) + (why.empty() ? "" : ": " + why));
    }
    return st;
}

}  // namespace parapipe::cli::bench
