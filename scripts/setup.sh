#!/usr/bin/env bash
# Installs the Debian 12 packages parapipe needs (only the missing ones), then configures and
# builds it (Release) in build/. Idempotent; run as root on a fresh machine.
#   scripts/setup.sh [extra cmake arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  g++ cmake make pkg-config python3
  libtbb-dev libboost-dev libopencv-dev libicu-dev
  libcli11-dev nlohmann-json3-dev libabsl-dev libcsv-dev
  libgtest-dev libbenchmark-dev
  openmpi-bin libopenmpi-dev
  help2man bash-completion librsvg2-bin
)
# Extra packages named by other stages (fuzzing needs clang, the chart renderer...).
PACKAGES+=(${PARAPIPE_EXTRA_PACKAGES:-})

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
