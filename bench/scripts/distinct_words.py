#!/usr/bin/env python3
"""Writes N distinct lowercase words of LEN letters, one per line, in a scrambled order.

A many-distinct-keys corpus for keyed reductions: 20 million 7-letter words are 160 MB of text
and as many keys. Word i is the base-26 spelling of (i * A + B) mod 26^LEN; A is odd and not a
multiple of 13, so it is invertible mod 26^LEN and every word is distinct.

    bench/scripts/distinct_words.py 20000000 > /tmp/distinct20m.txt
"""
import sys

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    length = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    space = 26 ** length
    if n > space:
        sys.exit(f"distinct_words: at most {space} words of {length} letters")
    a, b = 2_654_435_761 % space | 1, 12_345
    if a % 13 == 0:
        a += 2
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = sys.stdout
    batch = []
    for i in range(n):
        x = (i * a + b) % space
        w = []
        for _ in range(length):
            x, r = divmod(x, 26)
            w.append(letters[r])
        batch.append("".join(w))
        if len(batch) == 65536:
            out.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        out.write("\n".join(batch) + "\n")

if __name__ == "__main__":
    main()
