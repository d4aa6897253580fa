#!/usr/bin/env bash
# The main job: set up, build, then count the words of the demo corpus in every mode (printing
# the top words) and run the image demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== parapipe list"
build/parapipe list
echo
echo "== top 15 words of data/corpus (threads, 2 workers)"
build/parapipe run wordcount data/corpus --mode threads --workers 2 --top 15 --stats
echo
echo "== the same in every mode: identical output"
for mode in seq threads processes shm; do
  printf '%-10s %s\n' "$mode" "$(build/parapipe run wordcount data/corpus --mode "$mode" --workers 2 | sha256sum | cut -c1-16)"
done
if command -v mpirun >/dev/null; then
  # Two ranks of one thread each; Open MPI refuses root unless told (setup runs as root).
  printf '%-10s %s\n' "mpi x2" "$(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    mpirun --oversubscribe -n 2 build/parapipe run wordcount data/corpus --mode mpi --workers 1 | sha256sum | cut -c1-16)"
fi
if [ -x scripts/image_demo.sh ]; then
  echo
  echo "== image demo"
  scripts/image_demo.sh
fi
