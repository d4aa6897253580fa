#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake/fuzz.cmake; clang, ASan+UBSan) in build-fuzz and runs each
# for a short bounded time, starting from its seed corpus in fuzz/corpus/<target>/ and the inputs
# that once broke it in fuzz/regressions/<target>/. New interesting inputs go to
# build-fuzz/corpus/<target>/ (the seeds in the repository are never modified).
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 10 s, every target)
# Env:   JOBS (build parallelism, default 2), CXX (default clang++)
# Exit status: non-zero when a target crashes, leaks, times out or breaks its invariant. The
# input is saved as build-fuzz/artifacts/<target>/crash-*: copy it into
# fuzz/regressions/<target>/ (tests/hardening/fuzz_regressions_test.cpp replays that folder)
# and add a named test for it in tests/hardening/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-10}
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(fuzz_words_chunker fuzz_parse_size fuzz_image_ops)
fi
build="$root/build-fuzz"

CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARAPIPE_BUILD_FUZZ=ON \
    -DBUILD_TESTING=OFF -DPARAPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target "${targets[@]}"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for t in "${targets[@]}"; do
    work="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    mkdir -p "$work" "$artifacts"
    dirs=("$work" "$root/fuzz/corpus/$t")
    [[ -d "$root/fuzz/regressions/$t" ]] && dirs+=("$root/fuzz/regressions/$t")
    # The chunker target opens every input 7 times: shorter inputs keep it at useful speed.
    max_len=4096
    [[ $t == fuzz_words_chunker ]] && max_len=1024
    echo "==> $t: ${seconds} s"
    if "$build/fuzz/$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${dirs[@]}" >"$build/$t.log" 2>&1; then
        grep -E '^(Done|stat::number_of_executed_units)' "$build/$t.log" || true
    else
        failed+=("$t")
        tail -n 40 "$build/$t.log"
        echo "==> $t FAILED: input saved in $artifacts/ (log: $build/$t.log)" >&2
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing: no crash in ${#targets[@]} targets × ${seconds} s"
