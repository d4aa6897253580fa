#!/usr/bin/env bash
# The test job (what CI runs): set up, build, run the whole test suite through ctest, build the
# example against a staged install, then the sanitizer and fuzzing stages.
#   PARAPIPE_QUICK=1 scripts/test.sh   skips the sanitizer and fuzzing stages
set -euo pipefail
cd "$(dirname "$0")/.."
export PARAPIPE_EXTRA_PACKAGES="clang libclang-rt-14-dev ${PARAPIPE_EXTRA_PACKAGES:-}"
scripts/setup.sh

echo "== ctest (Release)"
(cd build && ctest -j2 --output-on-failure --timeout 900)

echo "== example project against a staged install"
rm -rf build/stage build/example
cmake --install build --prefix build/stage >/dev/null
cmake -S examples/wordcount -B build/example -DCMAKE_PREFIX_PATH="$PWD/build/stage" >/dev/null
cmake --build build/example -j2 >/dev/null
first=""
for mode in seq threads processes shm; do
  out=$(build/example/long_words --mode "$mode" --workers 2 data/corpus)
  [ -n "$out" ] || { echo "example: empty output in $mode" >&2; exit 1; }
  [ -z "$first" ] && first="$out"
  [ "$out" = "$first" ] || { echo "example: $mode differs from seq" >&2; exit 1; }
done
echo "example: long_words gives the same $(echo "$first" | wc -l) lines in every mode"

echo "== library-only build: install into a clean prefix, use from CMake and pkg-config"
scripts/install_test.sh

if [ -z "${PARAPIPE_QUICK:-}" ]; then
  [ -x scripts/sanitize.sh ] && scripts/sanitize.sh
  [ -x scripts/fuzz.sh ] && scripts/fuzz.sh
fi
echo "== all tests passed"
