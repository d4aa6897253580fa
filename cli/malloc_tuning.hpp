#pragma once
// glibc's malloc, tuned for a run over a big input before the run starts.
//
// A page of fresh memory costs a page fault on first touch: on a virtual machine with shadow
// page tables about 11 us per 4 KiB page, and the faults of two threads do not overlap. A word
// count over 9 MB of real text touched some 8,000 fresh pages, half of its time. glibc's own
// tunables fix most of it: glibc.malloc.hugetlb=1 backs the heap with transparent huge pages
// (one fault per 2 MiB, where the system's THP setting is "madvise" or "always"), and a top pad
// of 32 MiB grows the heap in steps that huge pages can cover. Tunables are read when a
// program starts, so the CLI starts itself again with them, once, before it does any work: an
// exec costs a few milliseconds, paid back on inputs of a few MiB; smaller inputs are left
// alone, so that a small run starts as fast as ever.
#include <cstdint>

namespace parapipe::cli {

/// Inputs of at least this many bytes (regular files) are worth the exec.
inline constexpr std::uint64_t tune_malloc_from = std::uint64_t{8} << 20;

/// The variable that says whether this process has been tuned ("tuned"), or that the user
/// wants glibc's defaults (any other value: no exec).
inline constexpr const char* malloc_tuning_env = "PARAPIPE_MALLOC";

/// True when this process runs with the tunables (restart_with_tuned_malloc() started it).
bool malloc_tuned();

/// In a restarted process, once main() has installed its signal handlers: lets in SIGINT and
/// SIGTERM, which the restart blocked so that one sent meanwhile waits instead of being lost.
void unblock_signals_after_restart();

/// True for an input of `input_bytes` in a process not yet tuned, where the user has not set
/// PARAPIPE_MALLOC.
bool should_tune_malloc(std::uint64_t input_bytes);

/// Puts the tunables (and PARAPIPE_MALLOC=tuned) into this process's environment, for the
/// program it is about to exec: `run image` goes to parapipe-image this way, whose 48 MiB image
/// buffers took 56,000 page faults for 6 images. False, and nothing set, when PARAPIPE_MALLOC is
/// set already or the environment cannot take them.
bool set_tuned_malloc_environment();

/// Starts this program again with the same arguments and glibc's tunables (see above), so it
/// returns only when the exec failed: the run then goes on untuned. Call it before any thread
/// starts and while no file of the run exists.
void restart_with_tuned_malloc();

}  // namespace parapipe::cli
