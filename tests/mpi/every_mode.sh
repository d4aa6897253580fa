#!/usr/bin/env bash
# Runs a GoogleTest binary linked with parapipe::mpi under mpirun, with the every-mode helper
# (tests/support) set to seq and mpi: each all-mode test compares mpi's result with seq's on
# rank 0 and checks the other ranks finish with the empty result run() returns there. The
# ranks share the test folders (tests/support TempDir) in a $TMPDIR of the job's own, removed
# here. mpirun's exit code is the first failing rank's.
#   tests/mpi/every_mode.sh RANKS TEST_BINARY [GoogleTest options...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 RANKS TEST_BINARY [GoogleTest options...]" >&2; exit 2; }
ranks=$1 bin=$2
shift 2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # harmless when not root
export PARAPIPE_TEST_MODES=${PARAPIPE_TEST_MODES:-seq,mpi}
TMPDIR=$(mktemp -d)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
# timeout, not ctest's: mpirun, sent SIGTERM, takes its ranks down with it.
timeout 240 mpirun --oversubscribe -n "$ranks" "$bin" "$@"
