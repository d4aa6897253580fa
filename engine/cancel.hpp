#pragma once
// Stopping runs on SIGINT and SIGTERM in a program that uses the library:
//
//   RunOptions opt{.mode = Mode::shm, .workers = 4, .cancel = parapipe::cancel_on_signals()};
//   try {
//       auto result = parapipe::run(plan, opt);
//   } catch (const parapipe::Interrupted& e) {
//       return 128 + e.signal();  // workers stopped, segment and temporary files removed
//   }
//
// Without it the default action kills the program at once, leaving its shared-memory segment
// in /dev/shm until the next run removes it.
#include <atomic>

namespace parapipe {

/// Installs SIGINT and SIGTERM handlers that store the signal number in a process-wide flag,
/// and returns that flag for RunOptions::cancel: every run given it stops cleanly and throws
/// Interrupted. A second signal ends the program with the signal's default action, so a stuck
/// program can still be stopped. Safe to call more than once (the handlers are installed once).
const std::atomic<int>* cancel_on_signals();

}  // namespace parapipe
