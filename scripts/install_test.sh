#!/usr/bin/env bash
# The library-only build, installed into a clean prefix and used by a tiny consumer, through
# CMake (with OpenCV made unfindable) and through pkg-config. Builds only parapipe::core.
#   scripts/install_test.sh [build folder, default build/core-only]
set -euo pipefail
cd "$(dirname "$0")/.."
b=${1:-build/core-only}
rm -rf "$b/prefix" "$b/consumer" "$b/pc"
cmake -S . -B "$b" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DPARAPIPE_BUILD_CLI=OFF \
  -DPARAPIPE_WITH_OPENCV=OFF -DPARAPIPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$b" -j2 >/dev/null
cmake --install "$b" --prefix "$PWD/$b/prefix" >/dev/null
prefix="$PWD/$b/prefix"
! find "$prefix" -name '*image*' | grep . || { echo "install: image files in a core-only install" >&2; exit 1; }
[ ! -e "$prefix/bin" ] || { echo "install: a binary in a core-only install" >&2; exit 1; }

printf 'b a b\nc b a\n' > "$b/words.txt"
expect=$'b\t3\na\t2\nc\t1'

cmake -S tests/install -B "$b/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_DISABLE_FIND_PACKAGE_OpenCV=ON --no-warn-unused-cli >/dev/null
cmake --build "$b/consumer" -j2 >/dev/null
[ "$("$b/consumer/consumer" "$b/words.txt")" = "$expect" ] || { echo "install: CMake consumer output differs" >&2; exit 1; }

mkdir -p "$b/pc"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name parapipe.pc)")
# shellcheck disable=SC2046
g++ -O1 -o "$b/pc/consumer" tests/install/consumer.cpp $(pkg-config --cflags --libs parapipe)
[ "$("$b/pc/consumer" "$b/words.txt")" = "$expect" ] || { echo "install: pkg-config consumer output differs" >&2; exit 1; }
echo "install: core-only package works from CMake and pkg-config, without OpenCV"
