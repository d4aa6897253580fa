#!/usr/bin/env bash
# Demo of `parapipe run image` in about ten seconds. It makes its own images with parapipe
# itself (a 16x16 seed written by this script, resized and blurred into photos of several sizes
# and formats), adds a broken file, then:
#   1. runs grayscale,blur:5,sobel over the folder in every mode: the broken file is reported and
#      skipped (exit 3), and the histograms of all modes are identical;
#   2. tiles one large image in shm mode and checks the result equals the batch output byte for byte.
# Usage: scripts/image_demo.sh [PARAPIPE_BINARY] [WORK_FOLDER]   (defaults: build/parapipe, a temp folder)
set -euo pipefail

BIN=${1:-build/parapipe}
WORK=${2:-$(mktemp -d "${TMPDIR:-/tmp}/parapipe-image-demo-XXXXXX")}
[[ -x $BIN ]] || { echo "image_demo: no parapipe binary at $BIN (build it first, or pass its path)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
mkdir -p "$WORK" && cd "$WORK"
rm -rf seeds in out
mkdir -p seeds in
echo "== work folder: $WORK"

# A deterministic 16x16 colour PPM (binary P6); `k` varies the pattern.
seed() {
    local k=$1 out=$2 i
    {
        printf 'P6\n16 16\n255\n'
        for ((i = 0; i < 256; i++)); do
            printf "\\$(printf %03o $(((i * (7 + k)) % 256)))\\$(printf %03o $(((i * 13 + 40 * k) % 256)))\\$(printf %03o $(((i * 29 + 90 + k * k) % 256)))"
        done
    } >"$out"
}

echo "== making images with parapipe itself"
seed 1 seeds/beach.ppm
seed 2 seeds/forest.ppm
seed 3 seeds/city.ppm
seed 4 seeds/big.ppm
q=(--progress never)
"$BIN" run image seeds/beach.ppm  --ops resize:1920x1080,blur:3 -o in/photos          --format png  "${q[@]}" >/dev/null
"$BIN" run image seeds/forest.ppm --ops resize:1280x720,blur:9  -o in/photos          --format jpg  "${q[@]}" >/dev/null
"$BIN" run image seeds/city.ppm   --ops resize:800x600,grayscale -o in/photos/archive --format webp "${q[@]}" >/dev/null
"$BIN" run image seeds/big.ppm    --ops resize:4000x3000,blur:5 -o in/large           --format png  "${q[@]}" >/dev/null
cp in/large/big.png in/photos/big.png
echo "this is not an image" >in/photos/broken.jpg
find in -type f | sort | sed 's/^/   /'

echo "== 1. batch: grayscale,blur:5,sobel in every mode (2 workers); broken.jpg must be skipped"
for mode in seq threads processes shm; do
    set +e
    "$BIN" run image in/photos --ops grayscale,blur:5,sobel -o "out/$mode" --format png --histogram \
        --mode "$mode" --workers 2 "${q[@]}" >"out-$mode.txt" 2>"err-$mode.txt"
    code=$?
    set -e
    echo "   $mode: exit $code: $(tail -n 1 "out-$mode.txt")"
    [[ $code == 3 ]] || { echo "image_demo: expected exit 3 (one input skipped), got $code" >&2; cat "err-$mode.txt" >&2; exit 1; }
    grep -q 'skipped .*broken.jpg' "err-$mode.txt" || { echo "image_demo: broken.jpg not reported" >&2; exit 1; }
    # The histogram without its timing fields: must be identical in every mode.
    sed -E 's/"seconds":[^,]*,"mpix_per_s":[^,]*,//' "out/$mode/histogram.json" >"hist-$mode.json"
    cmp -s hist-seq.json "hist-$mode.json" || { echo "image_demo: $mode histogram differs from seq" >&2; exit 1; }
done
echo "   $(head -n 1 err-seq.txt)"
echo "   histograms identical in every mode: out/<mode>/histogram.json"

echo "== 2. tile: the 12 MPix image in row bands with halos, shm mode, 2 workers"
"$BIN" run image in/large/big.png --tile --ops grayscale,blur:5,sobel -o out/tile --format png \
    --mode shm --workers 2 --stats "${q[@]}"
cmp out/tile/big.png out/seq/big.png && echo "   tiled output equals the whole-image output byte for byte"
echo "== demo OK"
