#include "cli/malloc_tuning.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/command.hpp"
#include "cli/image_program.hpp"

namespace parapipe::cli {

namespace {

// glibc.malloc.hugetlb=1: the heap and big mapped chunks are madvise()d for transparent huge
// pages; top_pad: the heap grows 32 MiB at a time (glibc's default is 128 KiB).
constexpr const char* tunables = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432";

// The signals main() handles (a run stops cleanly on them).
sigset_t stop_signals() {
    sigset_t set;
    ::sigemptyset(&set);
    ::sigaddset(&set, SIGINT);
    ::sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

void unblock_signals_after_restart() {
    if (!malloc_tuned()) return;
    const sigset_t stop = stop_signals();
    ::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
}

bool malloc_tuned() {
    const char* v = std::getenv(malloc_tuning_env);
    return v != nullptr && std::strcmp(v, "tuned") == 0;
}

bool should_tune_malloc(std::uint64_t input_bytes) {
    return input_bytes >= tune_malloc_from && std::getenv(malloc_tuning_env) == nullptr;
}

bool set_tuned_malloc_environment() {
    if (std::getenv(malloc_tuning_env) != nullptr) return false;
    // The user's own tunables come last, so that theirs win where both set the same one.
    const char* user = std::getenv("GLIBC_TUNABLES");
    const std::string value = user && *user ? std::string(tunables) + ":" + user : std::string(tunables);
    return ::setenv("GLIBC_TUNABLES", value.c_str(), 1) == 0 && ::setenv(malloc_tuning_env, "tuned", 1) == 0;
}

void restart_with_tuned_malloc() {
    char** argv = remembered_argv();
    const std::string self = self_path();
    if (argv == nullptr || self.empty()) return;
    const char* before = std::getenv("GLIBC_TUNABLES");
    const std::string user = before ? before : "";
    const bool had_user = before != nullptr;
    if (!set_tuned_malloc_environment()) return;
    std::fflush(nullptr);
    // A Ctrl-C or SIGTERM from here on must reach the restarted process, whose handler is not
    // installed yet: blocked signals stay pending across exec, and main() unblocks them once its
    // handler is in place (unblock_signals_after_restart).
    const sigset_t stop = stop_signals();
    sigset_t old;
    ::pthread_sigmask(SIG_BLOCK, &stop, &old);
    if (g_cancel.load() == 0) ::execv(self.c_str(), argv);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    // Not started again (or already stopped): go on untuned, as the caller was.
    if (had_user) ::setenv("GLIBC_TUNABLES", user.c_str(), 1);
    else ::unsetenv("GLIBC_TUNABLES");
    ::unsetenv(malloc_tuning_env);
}

}  // namespace parapipe::cli
