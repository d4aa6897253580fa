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
rm -rf build/stage build/examples
cmake --install build --prefix build/stage >/dev/null
# -O0: the programs are built to be checked, not timed (61 s to build against 80 s at -O1; the
# checks take as long either way, their runs are short).
cmake -S examples -B build/examples -DCMAKE_PREFIX_PATH="$PWD/build/stage" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -DNDEBUG" >/dev/null
cmake --build build/examples -j2 >/dev/null
tests/examples/check.sh build/examples

echo "== library-only build: install into a clean prefix, use from CMake and pkg-config"
scripts/install_test.sh

if [ -z "${PARAPIPE_QUICK:-}" ]; then
  [ -x scripts/sanitize.sh ] && scripts/sanitize.sh
  [ -x scripts/fuzz.sh ] && scripts/fuzz.sh
fi
echo "== all tests passed"
