#!/usr/bin/env bash
# Peak memory of word count over a stream (issue 13.3): pipes BYTES (default 200 MB) of a text
# corpus through `parapipe run wordcount -` in every mode and prints each process's peak
# resident memory (VmHWM, from $PARAPIPE_REPORT_HWM: the coordinator, then each worker) and the
# coordinator's max RSS from /usr/bin/time. Streams are read in windows of memory, never copied
# to disk: $TMPDIR is set to a folder that does not exist, so a spool would fail the run.
# Workers inherit the window at fork (copy-on-write): their peaks include pages they share with
# the coordinator, so the figures must not be summed. Also checks each mode's output against the
# same bytes given as a regular file.
#   scripts/stream_memory.sh [CORPUS] [BYTES]   CORPUS default: a cached ~/.cache/parapipe/text-256MiB-*
#                                               corpus (build/parapipe bench makes it), else generated
#   WORKERS=2 BUILD=build scripts/stream_memory.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BUILD:-$root/build}/parapipe"
bytes="${2:-200000000}"
workers="${WORKERS:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

corpus="${1:-}"
if [ -z "$corpus" ]; then
    corpus="$(ls "$HOME"/.cache/parapipe/text-256MiB-*.txt 2>/dev/null | head -n1 || true)"
fi
if [ -z "$corpus" ]; then
    corpus="$work/corpus.txt"  # a plain generated text: many words, few distinct
    awk 'BEGIN { srand(42); for (i = 0; i < 4000000; i++) printf "w%d word%d text %d\n", int(rand()*50000), i%977, i }' >"$corpus"
fi
head -c "$bytes" "$corpus" >"$work/input.txt"
echo "input: $bytes bytes of $corpus; workers $workers"
"$bin" run wordcount "$work/input.txt" --mode seq >"$work/expected.tsv"

for mode in seq threads processes shm; do
    report="$work/hwm-$mode.txt"
    start=$(date +%s.%N)
    head -c "$bytes" "$corpus" | PARAPIPE_REPORT_HWM="$report" TMPDIR="$work/missing" /usr/bin/time -v \
        "$bin" run wordcount - --mode "$mode" --workers "$workers" >"$work/out.tsv" 2>"$work/time.txt"
    end=$(date +%s.%N)
    cmp -s "$work/out.tsv" "$work/expected.tsv" || { echo "$mode: output differs from the file's"; exit 1; }
    rss=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$work/time.txt")
    printf '%-9s  wall %6.2f s  coordinator max RSS %7d KiB' "$mode" "$(echo "$end - $start" | bc)" "$rss"
    awk '{ printf "  %s %d KiB", $2, $3 }' "$report"
    echo
done
echo "same output as the file in every mode; nothing written to \$TMPDIR (it does not exist)"
