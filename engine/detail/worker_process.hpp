#pragma once
// Forked worker processes shared by Mode::processes and Mode::shm: spawning with a parent-death
// signal, pipe I/O that survives EINTR and short writes, and reaping that leaves no zombie.
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace parapipe::detail {

/// A forked worker as the coordinator sees it. `to` carries commands to the worker,
/// `from` carries its replies; either may be -1 when unused.
struct Child {
    pid_t pid = -1;
    int to = -1;
    int from = -1;
};

/// Forks a worker that runs `body(in_fd, out_fd)` and exits with its return value.
/// In the worker: SIGKILL when the coordinator dies, SIGINT ignored (the coordinator decides),
/// every other inherited descriptor closed so pipe EOF reliably means "peer gone".
/// Call only while the process has no TBB worker threads.
Child spawn_worker(const std::function<int(int in_fd, int out_fd)>& body);

/// SIGKILLs (if still running), reaps and closes the pipes of a worker. Idempotent.
void kill_and_reap(Child& c);

/// Closes the pipes and waits for the worker to exit; returns its wait status.
int close_and_wait(Child& c);

/// Kills and reaps every worker still alive when a run leaves early (error, signal).
struct Pool {
    std::vector<Child> children;
    Pool() = default;
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() {
        for (auto& c : children) kill_and_reap(c);
    }
};

/// Writes/reads exactly n bytes; false if the peer went away first.
bool write_all(int fd, const void* p, std::size_t n);
bool read_all(int fd, void* p, std::size_t n);

/// "killed by signal 9 (Killed)" or "exited with code 3".
std::string describe_status(int status);

/// Pipes to dead workers must give EPIPE, not kill the coordinator.
void ignore_sigpipe();

/// Test hook, called by a worker as it starts a chunk: when $PARAPIPE_TEST_STOP_CHUNK is "K:FILE"
/// and `chunk` is K, the first worker to create FILE stops itself with SIGSTOP, as if a user had
/// stopped it (the tests of stragglers and timeouts need a worker known to be on a chunk).
void test_hook_chunk_started(std::size_t chunk);

/// When $PARAPIPE_REPORT_HWM names a file, appends "<pid> <role> <VmHWM in kB>" to it: the
/// memory-bound tests read it. Called by every worker before it exits, and by the CLI.
void report_peak_memory(const char* role);

}  // namespace parapipe::detail
