#!/usr/bin/env bash
# The suite under load (issue 13.7): keeps every core busy with other work, then runs the Release
# suite STRESS_RUNS times in a row (default 5) and every signal or timing test STRESS_REPEAT times
# (default 50) with --gtest_repeat. Stops at the first failure. Tests wait for conditions with
# generous deadlines, never for fixed times, so a busy machine must not fail them.
#   scripts/stress_tests.sh [BUILD_DIR]       default build/ (configured and built, Release)
#   STRESS_RUNS=1 STRESS_REPEAT=5 scripts/stress_tests.sh   a shorter run
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${STRESS_RUNS:-5}"
repeat="${STRESS_REPEAT:-50}"

# The load: one busy loop per core, stopped however this script ends.
load=()
for _ in $(seq "$(nproc)"); do
    (while :; do :; done) &
    load+=($!)
done
trap 'kill "${load[@]}" 2>/dev/null || true' EXIT

for i in $(seq "$runs"); do
    echo "== Release suite under load, run $i of $runs"
    ctest --test-dir "$build" -j2 --output-on-failure --timeout 900 ${CTEST_ARGS:-}
done

# Every test that signals, kills, stops or times a process, or waits for one.
export PARAPIPE_BIN="$build/parapipe"
declare -A timing=(
    [cli_tests]='Cli.Signals*:Cli.Workers*:Cli.Stopped*:CliDefaults.*Progress*'
    [modes_tests]='Faults.*:Faults/*'
    [cancel_tests]='*'
    [stream_tests]='StreamSources.Cancel*'
    [hardening_tests]='Streams.*'  # Truncation writes 128 MiB per mode: it runs in the suite runs above
)
for bin in "${!timing[@]}"; do
    echo "== $bin --gtest_filter='${timing[$bin]}' x $repeat under load"
    "$build/tests/$bin" --gtest_filter="${timing[$bin]}" --gtest_repeat="$repeat" --gtest_brief=1 \
        --gtest_break_on_failure
done
echo "== stress: all passed"
