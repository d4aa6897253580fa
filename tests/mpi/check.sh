#!/usr/bin/env bash
# Mode::mpi through mpirun: word count and the image pipeline give the bytes --mode seq gives at
# 1, 2 and 3 ranks and several chunk sizes, also over TCP (--mca btl self,tcp), and under a
# --memory-limit that makes every rank spill; rank 0 alone writes; a rank that dies, or whose
# chunk throws, ends the job with no output file; stdin is refused; a process started without
# mpirun is one rank.
#   tests/mpi/check.sh PARAPIPE_BINARY
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PARAPIPE_BINARY" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # harmless when not root
mpirun=(mpirun --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Open MPI's session folders (mpirun jobs and the runs started without it) here, not in the
# $TMPDIR other tests share: the jobs of this script run one at a time, but others may run beside
# them (tests/mpi/mpirun.sh says why that fails).
mkdir ompi
export OMPI_MCA_orte_tmpdir_base=$work/ompi
fail() { echo "mpi check: $*" >&2; exit 1; }
runs=0

# ---- Inputs: words with Unicode, CRLF, invalid UTF-8, many files, an empty one -------------------
python3 - <<'EOF'
import os, random, struct
random.seed(11)
words = ["alpha", "Beta", "GAMMA", "δέλτα", "эпсилон", "北京", "mañana", "naïve", "Straße", "x", "y2k"] + \
        ["w%d" % i for i in range(4000)]
os.makedirs("text/sub", exist_ok=True)
for i in range(5):
    with open(f"text/sub/f{i}.txt", "w", newline="") as f:
        f.write("\r\n".join(" ".join(random.choice(words) for _ in range(random.randint(0, 15))) for _ in range(3000)))
with open("text/big.txt", "w") as f:
    f.write(" ".join(random.choice(words) for _ in range(60000)))
with open("text/invalid.bin", "wb") as f:
    f.write(b"caf\xc3\xa9 \xff\xfe broken \xe2\x82 end\n")
open("text/empty.txt", "w").close()
# Images: binary PPM (P6), readable by OpenCV without any codec library.
os.makedirs("img/sub", exist_ok=True)
for i, (w, h) in enumerate([(64, 48), (33, 17), (200, 120)]):
    px = bytes(random.randrange(256) for _ in range(w * h * 3))
    with open(f"img/{'sub/' if i == 1 else ''}p{i}.ppm", "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + px)
EOF

# ---- Word count: same bytes as seq --------------------------------------------------------------
"$bin" run wordcount text --mode seq >seq.tsv
[ -s seq.tsv ] || fail "seq printed nothing"
for ranks in 1 2 3; do
  for chunk in 1KiB 64KiB 8MiB; do
    rc=0
    timeout 60 "${mpirun[@]}" -n "$ranks" "$bin" run wordcount text --mode mpi --workers 2 --chunk-size "$chunk" \
      >got.tsv 2>got.err || rc=$?
    [ $rc -eq 0 ] || fail "wordcount $ranks ranks, chunk $chunk: exit $rc: $(head -c 300 got.err)"
    cmp -s seq.tsv got.tsv || fail "wordcount $ranks ranks, chunk $chunk: output differs from seq"
    runs=$((runs + 1))
  done
done
# Over TCP, as between hosts; one thread per rank; top words; JSON to a file (rank 0 writes it).
"$bin" run wordcount text --mode seq --top 50 -o seq.json
timeout 60 "${mpirun[@]}" --mca btl self,tcp -n 3 "$bin" run wordcount text --mode mpi --workers 1 --chunk-size 1KiB \
  --top 50 -o got.json --stats 2>stats.err || fail "wordcount over tcp: $(head -c 300 stats.err)"
cmp -s seq.json got.json || fail "wordcount over tcp: output file differs from seq"
grep -q "^mpi ranks 3 .*alltoall_sent_max [1-9]" stats.err || fail "--stats has no mpi line: $(cat stats.err)"
[ -z "$(find . -maxdepth 1 -name '.got.json.tmp-*')" ] || fail "a temporary output file was left"
runs=$((runs + 1))
# Without mpirun: a single rank.
"$bin" run wordcount text --mode mpi --workers 2 --chunk-size 4KiB >got.tsv || fail "mpi without mpirun failed"
cmp -s seq.tsv got.tsv || fail "mpi without mpirun: output differs from seq"
runs=$((runs + 1))

# ---- Memory limit: ~300,000 distinct words spill past 16MiB on every rank ------------------------
# The runs of every rank reach rank 0, which merges them: the bytes of seq without a limit; the
# spill folders are gone afterwards; --stats counts every rank's runs. A full temporary folder
# (each rank's files limited to 1 MiB, SIGXFSZ ignored) is one line naming the folder, exit 1,
# no output file, no folder left.
python3 - <<'EOF'
with open("distinct.txt", "w") as f:
    for i in range(300000):
        v, w = i * 2654435761 % 1000003, ""
        while len(w) < 5 or v > 0:
            w, v = w + chr(97 + v % 26), v // 26
        f.write((w + (" " if i % 8 else "\n")) * (i % 3 + 1))
EOF
"$bin" run wordcount distinct.txt --mode seq --memory-limit 0 >seq-distinct.tsv
mkdir spill
# One run per rank count, each at a chunk size of its own (the test job's time is bounded).
for case in "1 1MiB" "2 64KiB" "3 1MiB"; do
  read -r ranks chunk <<<"$case"
  rc=0
  TMPDIR=$work/spill timeout 120 "${mpirun[@]}" -n "$ranks" "$bin" run wordcount distinct.txt --mode mpi --workers 2 \
    --chunk-size "$chunk" --memory-limit 16MiB -o got.tsv --stats 2>got.err || rc=$?
  [ $rc -eq 0 ] || fail "memory limit, $ranks ranks, chunk $chunk: exit $rc: $(head -c 300 got.err)"
  cmp -s seq-distinct.tsv got.tsv || fail "memory limit, $ranks ranks, chunk $chunk: output differs from seq"
  spilled=$(grep -o 'spilled_runs [0-9]*' got.err | cut -d' ' -f2)
  [ "${spilled:-0}" -ge "$ranks" ] || fail "memory limit, $ranks ranks: spilled_runs ${spilled:-missing}: $(cat got.err)"
  [ -z "$(ls -A spill)" ] || fail "memory limit, $ranks ranks, chunk $chunk: left in TMPDIR: $(ls spill)"
  runs=$((runs + 1))
done
timeout 120 "${mpirun[@]}" -n 2 "$bin" run wordcount distinct.txt --mode mpi --memory-limit 0 >got.tsv 2>got.err ||
  fail "no memory limit: $(head -c 300 got.err)"
cmp -s seq-distinct.tsv got.tsv || fail "no memory limit: output differs from seq"
runs=$((runs + 1))
for ranks in 2 3; do
  rc=0
  TMPDIR=$work/spill timeout 120 "${mpirun[@]}" -n "$ranks" bash -c "trap '' XFSZ; ulimit -f 1024; exec \"\$@\"" full \
    "$bin" run wordcount distinct.txt --mode mpi --workers 2 --chunk-size 64KiB --memory-limit 16MiB -o full.tsv \
    >full.out 2>full.err || rc=$?
  [ $rc -eq 1 ] || fail "full temporary folder, $ranks ranks: exit $rc, expected 1: $(head -c 400 full.err)"
  [ "$(grep -c '^parapipe:' full.err)" -eq 1 ] &&
    grep -q "^parapipe: .*temporary folder $work/spill/parapipe-spill-[^ ]* is full" full.err ||
    fail "full temporary folder, $ranks ranks: not one line naming the folder: $(head -c 600 full.err)"
  [ ! -e full.tsv ] || fail "full temporary folder, $ranks ranks: an output file was written"
  [ -z "$(ls -A spill)" ] || fail "full temporary folder, $ranks ranks: left in TMPDIR: $(ls spill)"
  runs=$((runs + 1))
done

# ---- Image pipeline: the same output files as seq -----------------------------------------------
for tile in "" --tile; do
  rm -rf out-seq out-mpi
  "$bin" run image img --ops grayscale,blur:3,sobel --output out-seq --format png --histogram $tile --mode seq -q >/dev/null
  for ranks in 2 3; do
    rm -rf out-mpi
    timeout 60 "${mpirun[@]}" -n "$ranks" "$bin" run image img --ops grayscale,blur:3,sobel --output out-mpi \
      --format png --histogram $tile --mode mpi --workers 1 -q >img.out 2>img.err ||
      fail "image $tile $ranks ranks: $(head -c 300 img.err)"
    for f in $(cd out-seq && find . -name '*.png'); do
      cmp -s "out-seq/$f" "out-mpi/$f" || fail "image $tile $ranks ranks: $f differs from seq"
    done
    [ "$(cd out-seq && find . -name '*.png' | sort)" = "$(cd out-mpi && find . -name '*.png' | sort)" ] ||
      fail "image $tile $ranks ranks: not the same files as seq"
    # The histogram report (rank 0's) holds timing; its bins must match.
    diff <(grep -o '"bins".*' out-seq/histogram.json) <(grep -o '"bins".*' out-mpi/histogram.json) >/dev/null ||
      fail "image $tile $ranks ranks: histogram differs from seq"
    runs=$((runs + 1))
  done
done

# ---- Faults and refusals -------------------------------------------------------------------------
# A rank killed (SIGKILL, as a crash) as it asks for its first chunk: non-zero exit, the rank
# named, no output file, no temporary file, no rank left running.
rc=0
PARAPIPE_TEST_MPI_KILL_RANK=1 timeout 60 "${mpirun[@]}" -n 3 "$bin" run wordcount text --mode mpi --workers 1 \
  --chunk-size 1KiB -o killed.tsv >kill.out 2>kill.err || rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "killed rank: exit $rc, expected a failure (124: the job hung)"
grep -q "rank 1" kill.err || fail "killed rank: stderr does not name rank 1: $(head -c 400 kill.err)"
[ ! -e killed.tsv ] || fail "killed rank: an output file was written"
[ -z "$(find . -maxdepth 1 -name '.killed.tsv.tmp-*')" ] || fail "killed rank: a temporary output file was left"
! pgrep -f -- "-o killed.tsv" >/dev/null || fail "killed rank: a rank is still running"
runs=$((runs + 1))
# An error inside a chunk on a rank other than 0 (the hook makes rank 1's chunks throw, as an
# operator would): exit 1, one line from parapipe naming rank 1 and the chunk, no output file, no
# temporary file, no rank left running.
for ranks in 2 3; do
  rc=0
  PARAPIPE_TEST_MPI_FAIL_RANK=1 timeout 60 "${mpirun[@]}" -n "$ranks" "$bin" run wordcount text --mode mpi \
    --workers 2 --chunk-size 1KiB -o failed.tsv >fail.out 2>fail.err || rc=$?
  [ $rc -eq 1 ] || fail "chunk error on rank 1 of $ranks: exit $rc, expected 1: $(head -c 400 fail.err)"
  [ "$(grep -c '^parapipe:' fail.err)" -eq 1 ] ||
    fail "chunk error on rank 1 of $ranks: not one line from parapipe: $(head -c 600 fail.err)"
  grep -Eq '^parapipe: rank 1: [^ ]+ bytes \[[0-9]+, [0-9]+\): failed on purpose' fail.err ||
    fail "chunk error on rank 1 of $ranks: the line does not name rank 1 and the chunk: $(head -c 400 fail.err)"
  [ ! -s fail.out ] || fail "chunk error on rank 1 of $ranks: something was printed to stdout"
  [ ! -e failed.tsv ] || fail "chunk error on rank 1 of $ranks: an output file was written"
  [ -z "$(find . -maxdepth 1 -name '.failed.tsv.tmp-*')" ] || fail "chunk error: a temporary output file was left"
  ! pgrep -f -- "-o failed.tsv" >/dev/null || fail "chunk error on rank 1 of $ranks: a rank is still running"
  runs=$((runs + 1))
done
# stdin: refused with one line, exit 2.
rc=0
echo "some words" | "$bin" run wordcount - --mode mpi >/dev/null 2>stdin.err || rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <stdin.err)" -eq 1 ] && grep -q "standard input" stdin.err ||
  fail "stdin in mpi mode: exit $rc, '$(cat stdin.err)'"
runs=$((runs + 1))
echo "mpi check: $runs runs passed"
