#pragma once
// glibc's malloc, tuned for a run over a big input before the run starts.
//
// A page of fresh memory costs a page fault on first touch, dear on a virtual machine. A top
// pad of 32 MiB (glibc's default: 128 KiB) grows the heap in big steps and keeps what a run
// frees for its next allocations instead of trimming it. Word count sets it with mallopt() at
// start, in this process, for inputs of 8 MiB or more; smaller inputs keep glibc's defaults.
//
// The heap is not put on transparent huge pages (glibc.malloc.hugetlb=1, which glibc reads only
// at exec): on a VM whose host takes back freed memory (free page reporting), a fresh 2 MiB page
// can cost milliseconds to back again, and a word count started after a few idle seconds took
// twice as long with it. On another host, where each 4 KiB fault costs 10 us, huge pages made
// back-to-back runs 20% faster and cold ones no slower. Which wins depends on the host, so the
// heap keeps small pages and word count does not restart itself (docs/performance-history.md).
// Image commands, whose 48 MiB buffers are reused image after image, still start parapipe-image
// with both tunables (set_tuned_malloc_environment).
#include <cstdint>

namespace parapipe::cli {

/// Inputs of at least this many bytes (regular files) run with malloc tuned.
inline constexpr std::uint64_t tune_malloc_from = std::uint64_t{8} << 20;

/// The variable that says that this process was started tuned ("tuned": parapipe-image), or
/// that the user wants glibc's defaults (any other value).
inline constexpr const char* malloc_tuning_env = "PARAPIPE_MALLOC";

/// True when this process runs with malloc tuned: tune_malloc() did it, or it was started with
/// the tunables (set_tuned_malloc_environment()).
bool malloc_tuned();

/// For an input of `input_bytes`: sets the top pad (see above) when the input is big enough and
/// the user has not set PARAPIPE_MALLOC. malloc_tuned() stays false where malloc ignores mallopt
/// (AddressSanitizer's). Call it before any thread starts.
void tune_malloc(std::uint64_t input_bytes);

/// Puts the tunables (huge pages and the top pad, and PARAPIPE_MALLOC=tuned) into this process's
/// environment, for the program it is about to exec: `run image` goes to parapipe-image this
/// way, whose 48 MiB image buffers took 56,000 page faults for 6 images. False, and nothing set,
/// when PARAPIPE_MALLOC is set already or the environment cannot take them.
bool set_tuned_malloc_environment();

}  // namespace parapipe::cli
