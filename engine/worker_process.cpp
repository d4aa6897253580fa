#include <parapipe/engine/detail/worker_process.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <parapipe/engine/detail/parallel.hpp>
#include <parapipe/engine/errors.hpp>

namespace parapipe::detail {

namespace {
void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}
}  // namespace

Child spawn_worker(const std::function<int(int, int)>& body) {
    int down[2], up[2];
    if (::pipe2(down, O_CLOEXEC) != 0) throw Error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(up, O_CLOEXEC) != 0) {
        ::close(down[0]);
        ::close(down[1]);
        throw Error(std::string("pipe: ") + std::strerror(errno));
    }
    // Larger pipes mean fewer context switches for big serialized partials.
    ::fcntl(up[1], F_SETPIPE_SZ, 1 << 20);
    const pid_t parent = ::getpid();
    join_threads_left_running();  // a child must not inherit oneTBB with its threads gone
    pid_t pid = ::fork();
    if (pid < 0) {
        for (int fd : {down[0], down[1], up[0], up[1]}) ::close(fd);
        throw Error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);  // coordinator died before prctl took effect
        ::signal(SIGINT, SIG_IGN);
        ::signal(SIGTERM, SIG_DFL);
        ::signal(SIGPIPE, SIG_DFL);
        // Keep only our two pipe ends, as fds 3 and 4, so no worker holds another's pipe open.
        int in = ::fcntl(down[0], F_DUPFD_CLOEXEC, 100);
        int out = ::fcntl(up[1], F_DUPFD_CLOEXEC, 100);
        ::dup2(in, 3);
        ::dup2(out, 4);
        ::close_range(5, ~0U, 0);
        int code = 1;
        try {
            code = body(3, 4);
        } catch (...) {
            code = 3;
        }
        report_peak_memory("worker");
        ::_exit(code);
    }
    ::close(down[0]);
    ::close(up[1]);
    return Child{pid, down[1], up[0]};
}

void kill_and_reap(Child& c) {
    close_fd(c.to);
    close_fd(c.from);
    if (c.pid > 0) {
        ::kill(c.pid, SIGKILL);
        while (::waitpid(c.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        c.pid = -1;
    }
}

int close_and_wait(Child& c) {
    close_fd(c.to);
    close_fd(c.from);
    int status = 0;
    if (c.pid > 0) {
        while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        c.pid = -1;
    }
    return status;
}

bool write_all(int fd, const void* p, std::size_t n) {
    const char* s = static_cast<const char*>(p);
    while (n > 0) {
        ssize_t w = ::write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        s += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

bool read_all(int fd, void* p, std::size_t n) {
    char* s = static_cast<char*>(p);
    while (n > 0) {
        ssize_t r = ::read(fd, s, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (r == 0) return false;
        s += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

std::string describe_status(int status) {
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
    if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
    return "stopped";
}

void ignore_sigpipe() {
    struct sigaction old {};
    ::sigaction(SIGPIPE, nullptr, &old);
    if (old.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
}

void test_hook_chunk_started(std::size_t chunk) {
    static const char* spec = std::getenv("PARAPIPE_TEST_STOP_CHUNK");
    if (!spec || !*spec) return;
    char* rest = nullptr;
    if (std::strtoull(spec, &rest, 10) != chunk || *rest != ':') return;
    int fd = ::open(rest + 1, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return;  // another worker stopped on it already: this one is the backup
    ::close(fd);
    ::raise(SIGSTOP);
}

void report_peak_memory(const char* role) {
    const char* path = std::getenv("PARAPIPE_REPORT_HWM");
    if (!path || !*path) return;
    char status[8192];
    int in = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (in < 0) return;
    ssize_t n = ::read(in, status, sizeof status - 1);
    ::close(in);
    if (n <= 0) return;
    status[n] = '\0';
    const char* hwm = std::strstr(status, "VmHWM:");
    if (!hwm) return;
    const std::string line = std::to_string(::getpid()) + " " + role + " " +
                             std::to_string(std::strtoull(hwm + 6, nullptr, 10)) + "\n";
    int out = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (out < 0) return;
    [[maybe_unused]] ssize_t w = ::write(out, line.data(), line.size());  // one short O_APPEND write
    ::close(out);
}

}  // namespace parapipe::detail
