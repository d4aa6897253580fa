#!/usr/bin/env python3
"""Word count with multiprocessing.Pool: the Python baseline of `parapipe bench --baselines`.

Usage: mp_wordcount.py [--workers N] [--chunk-size BYTES] [--output FILE] PATH...

Each input file is cut into byte chunks of about --chunk-size, always at an ASCII byte that is
not a letter or digit (never inside a word or a UTF-8 sequence). Workers receive (path, begin,
end) descriptors, read and count their chunk into a collections.Counter, and return it; the
parent merges the Counters and writes `word<TAB>count` lines sorted by count descending, then
by the word's UTF-8 bytes ascending: the same TSV as `parapipe run wordcount`.

Tokenization, as close to parapipe's (operators/words.hpp) as the standard library allows:
  * a word is a maximal run of code points of general category L*, M* or N*: the character
    class is built from unicodedata at start-up (Python's \\w would miss the marks M* and
    add '_');
  * ill-formed UTF-8 separates words (decoded with errors="replace": U+FFFD is not a word
    character);
  * lowercasing is per code point (ICU u_tolower, simple case mapping). str.lower() applies
    full mapping, which differs in exactly two places, both undone first: U+0130 'İ' becomes
    'i̇' (two code points; simple mapping gives 'i') and a word-final 'Σ' becomes 'ς' (simple
    mapping always gives 'σ').
Known differences: Python's unicodedata and the ICU parapipe links may be different Unicode
versions, so code points assigned or recategorized between them may tokenize differently;
the generated benchmark corpus has none. Directories are walked recursively, files sorted.
Standard library only.
"""

import argparse
import collections
import mmap
import multiprocessing
import os
import re
import sys
import unicodedata


def word_class(last):
    """A regex character class of every code point up to `last` of category L*, M* or N*."""
    ranges = []
    start = None
    for cp in range(last + 2):
        inside = cp <= last and unicodedata.category(chr(cp))[0] in "LMN"
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            end = cp - 1
            ranges.append(re.escape(chr(start)) if start == end else
                          re.escape(chr(start)) + "-" + re.escape(chr(end)))
            start = None
    return "[" + "".join(ranges) + "]+"


# Built once in the parent; forked workers inherit the compiled patterns. re matches a class of
# BMP code points with one bitmap lookup but tries the ranges above U+FFFF one by one, which
# makes the full class about 10 times slower: text without such code points (nearly all text)
# uses the BMP class, which gives the same words there.
WORD_BMP = re.compile(word_class(0xFFFF))
WORD_ALL = re.compile(word_class(sys.maxunicode))
BEYOND_BMP = re.compile("[\U00010000-\U0010FFFF]")
ASCII_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def count_chunk(task):
    path, begin, end = task
    with open(path, "rb") as f:
        f.seek(begin)
        data = f.read(end - begin)
    text = data.decode("utf-8", errors="replace")
    text = text.replace("\u0130", "i").replace("\u03a3", "\u03c3").lower()
    word = WORD_ALL if BEYOND_BMP.search(text) else WORD_BMP
    return collections.Counter(word.findall(text))


def cut_points(path, chunk_size):
    """Chunk (begin, end) pairs of one file, cut where no word or UTF-8 sequence is split."""
    size = os.path.getsize(path)
    if size == 0:
        return []
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        chunks, begin = [], 0
        while begin < size:
            end = min(begin + chunk_size, size)
            while end < size and (m[end] >= 0x80 or m[end] in ASCII_WORD):
                end += 1
            chunks.append((path, begin, end))
            begin = end
    return chunks


def input_files(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                files.extend(os.path.join(root, n) for n in sorted(names))
        elif os.path.exists(p):
            files.append(p)
        else:
            sys.exit(f"mp_wordcount.py: no such file: {p}")
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--chunk-size", type=int, default=8 << 20)
    ap.add_argument("--output", default="-")
    args = ap.parse_args()
    if args.workers < 1 or args.chunk_size < 1:
        sys.exit("mp_wordcount.py: --workers and --chunk-size must be at least 1")

    tasks = [t for f in input_files(args.paths) for t in cut_points(f, args.chunk_size)]
    counts = collections.Counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for partial in pool.imap_unordered(count_chunk, tasks):
            counts.update(partial)

    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode("utf-8")))
    out = "".join(f"{w}\t{n}\n" for w, n in rows).encode("utf-8")
    if args.output == "-":
        sys.stdout.buffer.write(out)
    else:
        with open(args.output, "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
