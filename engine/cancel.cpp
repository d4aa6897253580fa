#include <parapipe/engine/cancel.hpp>

#include <signal.h>

#include <mutex>

namespace parapipe {

namespace {

std::atomic<int> g_signal{0};

extern "C" void on_cancel_signal(int sig) {
    int expected = 0;
    if (!g_signal.compare_exchange_strong(expected, sig)) {
        ::signal(sig, SIG_DFL);  // the second signal: the user means it
        ::raise(sig);
    }
}

}  // namespace

const std::atomic<int>* cancel_on_signals() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = on_cancel_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR and the run checks the flag
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
    });
    return &g_signal;
}

}  // namespace parapipe
