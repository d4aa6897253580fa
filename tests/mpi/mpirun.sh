#!/usr/bin/env bash
# mpirun with a session directory of its own, for jobs started side by side (the example checks
# run two at a time). Open MPI 4.1 keeps every job's session directory in one shared
# $TMPDIR/ompi.HOST.UID, which a job that ends removes once it is empty; a job that starts at that
# moment fails its mkdir ("File exists") and exits 1. A base folder per job leaves nothing shared.
# (tests/mpi/check.sh, whose jobs run one at a time, gives all of them one folder of their own.)
# Arguments are mpirun's.
#   tests/mpi/mpirun.sh [mpirun options...] PROGRAM [ARGS...]
set -euo pipefail
base=$(mktemp -d "${TMPDIR:-/tmp}/parapipe-mpirun.XXXXXX")
trap 'rm -rf "$base"' EXIT
export OMPI_MCA_orte_tmpdir_base=$base OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun "$@"
