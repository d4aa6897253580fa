#!/usr/bin/env bash
# The test suite under sanitizers (issue 6).
#   asan: build-asan, -DPARAPIPE_SANITIZE=address,undefined: every test, every mode (ASan is
#         fine with the forked workers; they leave through _exit, so LeakSanitizer checks only
#         processes that return from main).
#   tsan: build-tsan, -DPARAPIPE_SANITIZE=thread: seq and threads modes only. TSan does not
#         follow fork(): the tests get PARAPIPE_TEST_MODES=seq,threads (tests/support
#         all_mode_cases() keeps only those), and the tests that name a process mode
#         themselves are excluded by name below.
# Both runs set PARAPIPE_TEST_SMALL=1: heavy tests use smaller inputs, the 2 GiB memory test
# is skipped (shadow memory makes RSS meaningless anyway).
#
# Both build with clang (CXX, default clang++; the test job installs it for fuzzing anyway): it
# compiles the sanitized suite about a quarter faster than g++ (tests/engine/flow_test.cpp under
# ASan+UBSan: 84 s at clang -O1 against 112 s at g++ -Og), and it keeps the code building with a
# second compiler (clang 14 rejects a lambda that captures a structured binding; g++ takes it).
#
# Both build at -O0. The sanitizers' documentation suggests -O1 for speed at run time, but here
# compiling is most of each stage (the test files instantiate every executor many times), and -O0
# halves it: the ASan+UBSan build took 224 s at -O0 against 430 s at -O1, its tests 336 s against
# 219 s before the three heaviest were made smaller under PARAPIPE_TEST_SMALL; the TSan stage took
# 139 s at -O0 against about 220 s at -O1. The checks are the same at every level.
#
# Usage: scripts/sanitize.sh [asan|tsan|all]     (default: all)
# Env:   JOBS (default 2), CXX (default clang++), CMAKE_BUILD_TYPE (default RelWithDebInfo),
#        CTEST_ARGS (extra args)
# Exit status: non-zero when a build fails or a test fails or a sanitizer reports an error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-2}
build_type=${CMAKE_BUILD_TYPE:-RelWithDebInfo}
what=${1:-all}
export CXX=${CXX:-clang++}

export PARAPIPE_TEST_SMALL=1
# Any UBSan finding fails the test that triggered it (the default only prints and goes on).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1"
export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1"

# Tests that only compile code (header checks, compile-fail checks, package files): the Release
# stage runs them; a sanitizer changes nothing there.
compile_only='Headers\.|CompileFail\.|Package\.'

# TSan runs the library-level test binaries: they drive the threads executor directly. The CLI and
# image binaries are covered under ASan; building them with TSan as well would double the stage.
# wordcount_tests is left out too: the tokenizer is single-threaded code, covered under ASan.
tsan_targets=(engine_tests modes_tests cancel_tests flow_tests)

# Tests that run the process modes by name, whatever PARAPIPE_TEST_MODES says: not under TSan.
# The signal tests among them fork a coordinator that forks its workers; under TSan a SIGINT sent
# to such a coordinator once went unhandled until the run had finished (CI, stop 24), so they run
# in the Release and ASan stages only.
tsan_exclude='CancelOnSignals\.Sig|Faults/WorkerDeath|Faults\.ChunkThatKillsEveryAttempt|Faults\.ShmTooSmall|Faults\.StaleSegments'
tsan_exclude+='|Modes\.ShmGrows|Modes\.ThreadsThenProcessesThenShm|Modes\.TwoHundredRuns'
tsan_exclude+='|Cli\.SignalsStopTheRunCleanly|Cli\.CountsStdinAndFilesAlike|Cli\.WorkersDieWithTheirCoordinator'
tsan_exclude+='|ImageCommand\.ExitsThreeAndNamesSkippedFiles|ImageCommand\.HistogramIsTheSameInEveryMode'
tsan_exclude+='|ImageTile\.WritesTheStitchedImage|BenchSmoke\.EveryModeMatchesSeq|BenchSmoke\.ImageModesAndOpenCvBaseline'
# A test binary that was not built (the CLI, image and bench tests; or one whose build failed, which
# already failed the build step) shows up as <name>_NOT_BUILT.
tsan_exclude+='|_NOT_BUILT'

configure_and_build() {  # dir sanitizers [target...]
    local dir=$1 san=$2
    shift 2
    # No MPI: its tests run through mpirun in the Release stage only (Open MPI's own leaks and
    # races would drown ours). -O0 (see above), and line tables only: the same stack traces
    # (function, file, line) as full debug information.
    cmake -S "$root" -B "$root/$dir" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE="$build_type" -DPARAPIPE_SANITIZE="$san" \
        -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1 -DNDEBUG" -DCMAKE_UNITY_BUILD=ON \
        -DBUILD_TESTING=ON -DPARAPIPE_BUILD_BENCH=OFF -DPARAPIPE_BUILD_FUZZ=OFF -DPARAPIPE_WITH_MPI=OFF
    if [[ $# -gt 0 ]]; then
        cmake --build "$root/$dir" -j"$jobs" --target "$@"
    else
        cmake --build "$root/$dir" -j"$jobs"
    fi
}

stage() {  # name command...
    local name=$1
    shift
    local t0=$SECONDS
    echo "==> $name"
    "$@"
    echo "==> $name: ok in $((SECONDS - t0)) s"
}

run_asan() {
    configure_and_build build-asan "address,undefined"
    ctest --test-dir "$root/build-asan" -j"$jobs" --output-on-failure --timeout 300 -E "$compile_only" ${CTEST_ARGS:-}
}

run_tsan() {
    configure_and_build build-tsan "thread" "${tsan_targets[@]}"
    # Older TSan runtimes cannot map their shadow with the kernel's 32 bits of mmap randomness;
    # running without ASLR avoids "unexpected memory mapping" aborts there.
    local norand=()
    if [[ $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28) -gt 28 ]] && command -v setarch >/dev/null; then
        norand=(setarch "$(uname -m)" -R)
    fi
    PARAPIPE_TEST_MODES=seq,threads "${norand[@]}" \
        ctest --test-dir "$root/build-tsan" -j"$jobs" --output-on-failure --timeout 300 -E "$tsan_exclude|$compile_only" ${CTEST_ARGS:-}
}

case $what in
    asan) stage "ASan+UBSan (all modes)" run_asan ;;
    tsan) stage "TSan (seq, threads)" run_tsan ;;
    all)
        stage "ASan+UBSan (all modes)" run_asan
        stage "TSan (seq, threads)" run_tsan
        ;;
    *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac
