#!/usr/bin/env bash
# Issue 13.1 check, too big for the test suite: word count over N small files (default
# 1,000,000: far beyond vm.max_map_count, 65,530) and over a file 2,500 folders deep (a path
# beyond PATH_MAX), in every mode. Each mode must give the same output as seq, and the right one.
#   scripts/many_files.sh [N]          (needs build/parapipe; uses $TMPDIR, removes what it made)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
bin=build/parapipe
work=$(mktemp -d)
trap 'python3 - "$work" <<"PY"
import os, sys
top = sys.argv[1]
# the deep chain cannot be removed by path (too long): move each level up, then remove it
fd = os.open(os.path.join(top, "deep"), os.O_RDONLY) if os.path.isdir(os.path.join(top, "deep")) else None
if fd is not None:
    while True:
        try: os.rename("d/d", "up", src_dir_fd=fd, dst_dir_fd=fd)
        except OSError: break
        os.rmdir("d", dir_fd=fd); os.rename("up", "d", src_dir_fd=fd, dst_dir_fd=fd)
    try: os.unlink("d/deep.txt", dir_fd=fd); os.rmdir("d", dir_fd=fd)
    except OSError: pass
    os.close(fd)
PY
rm -rf "$work"' EXIT

echo "== $n files of one number each"
mkdir "$work/many"
(cd "$work/many" && seq "$n" | split -l 1 -a 7 - f)
for mode in seq threads processes shm; do
  /usr/bin/env time -f "$mode: %e s, peak %M KiB" "$bin" run wordcount "$work/many" --mode "$mode" --workers 2 \
    > "$work/out.$mode"
  cmp "$work/out.seq" "$work/out.$mode"
done
lines=$(wc -l < "$work/out.seq")
ones=$(awk -F'\t' '$2 == 1' "$work/out.seq" | wc -l)
[ "$lines" -eq "$n" ] && [ "$ones" -eq "$n" ] || { echo "wrong result: $lines words, $ones counted once"; exit 1; }
echo "every mode: $n distinct words, each once"

echo "== a file 2,500 folders deep"
mkdir "$work/deep"
python3 - "$work/deep" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(2500):
    os.mkdir("d", dir_fd=fd)
    nxt = os.open("d", os.O_RDONLY, dir_fd=fd); os.close(fd); fd = nxt
f = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, b"deep down here\n"); os.close(f); os.close(fd)
PY
for mode in seq threads processes shm; do
  out=$("$bin" run wordcount "$work/deep" --mode "$mode" --workers 2 | tr '\n' ' ')
  [ "$out" = $'deep\t1 down\t1 here\t1 ' ] || { echo "$mode: wrong result: $out"; exit 1; }
done
echo "every mode: the deep file is counted"
