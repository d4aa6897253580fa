#!/usr/bin/env python3
"""Plain reference implementations of the example programs (examples/), for tests/examples/check.sh.

    reference.py log_status PATH...
    reference.py csv_groupby KEY VALUE PATH...     (the skipped-row line goes to stderr)
    reference.py inverted_index PATH...
    reference.py freq_of_freq PATH...
    reference.py primes N
    reference.py long_words TOP PATH...

Straightforward, one process, whole files in memory: what each program must print, byte for byte.
"""
import os
import re
import stat
import sys
import unicodedata

out = sys.stdout.buffer


def walk(args):
    """Inputs as the walker gives them: explicit paths as given; folders recursively, names in
    byte order, hidden entries skipped, regular files only (file symlinks followed, folder
    symlinks not), paths joined as ARG/inner/path."""
    found = []

    def folder(shown):
        for name in sorted(os.listdir(shown)):
            if name.startswith(b"."):
                continue
            path = shown + name if shown.endswith(b"/") else shown + b"/" + name
            if os.path.islink(path):
                try:
                    if stat.S_ISREG(os.stat(path).st_mode):
                        found.append(path)
                except OSError:
                    pass  # dangling link
            elif os.path.isdir(path):
                folder(path)
            elif os.path.isfile(path):
                found.append(path)

    for a in args:
        a = os.fsencode(a)
        if os.path.isdir(a):
            folder(a)
        else:
            found.append(a)
    return found


def read(path):
    with open(path, "rb") as f:
        return f.read()


def lines(data):
    """Lines as lines() gives them: without '\\n', without the '\\r' of '\\r\\n'; a last line
    without a newline counts; no empty line after a final '\\n'."""
    parts = data.split(b"\n")
    last = parts.pop()
    result = [p[:-1] if p.endswith(b"\r") else p for p in parts]
    if last:
        result.append(last)
    return result


# ---- log_status -------------------------------------------------------------------------------
LOG = re.compile(rb'[^ ]+ [^ ]+ [^ ]+ \[[^\]]*\] "(?:[^"\\]|\\.)*" ([0-9]{3}) ([0-9]+|-)(?: .*)?', re.DOTALL)


def log_status(paths):
    per_status, malformed = {}, 0
    for p in walk(paths):
        for line in lines(read(p)):
            if not line:
                continue
            m = LOG.fullmatch(line)
            size = 0 if m is None or m.group(2) == b"-" else int(m.group(2))
            if m is None or size >= 2**64:
                malformed += 1
                continue
            req, total = per_status.get(m.group(1), (0, 0))
            per_status[m.group(1)] = (req + 1, (total + size) % 2**64)
    for status in sorted(per_status):
        req, total = per_status[status]
        out.write(b"%s\t%d\t%d\n" % (status, req, total))
    out.write(b"malformed\t%d\t0\n" % malformed)


# ---- csv_groupby ------------------------------------------------------------------------------
def csv_split(line):
    """RFC 4180 fields of one record, or None when its quoting is broken."""
    fields, i, n = [], 0, len(line)
    while True:
        if i < n and line[i:i + 1] == b'"':
            i += 1
            buf = bytearray()
            while True:
                if i >= n:
                    return None  # no closing quote
                if line[i:i + 1] == b'"':
                    if line[i + 1:i + 2] == b'"':
                        buf += b'"'
                        i += 2
                        continue
                    i += 1
                    break
                buf += line[i:i + 1]
                i += 1
            fields.append(bytes(buf))
            if i == n:
                return fields
            if line[i:i + 1] != b",":
                return None  # something after the closing quote
            i += 1
        else:
            j = line.find(b",", i)
            j = n if j < 0 else j
            if b'"' in line[i:j]:
                return None  # a quote inside an unquoted field
            fields.append(line[i:j])
            if j == n:
                return fields
            i = j + 1


def csv_groupby(key, value, paths):
    key, value = os.fsencode(key), os.fsencode(value)
    stats, skipped = {}, 0
    for p in walk(paths):
        rows = lines(read(p))
        if not rows:
            continue
        header = csv_split(rows[0])
        if header is None or key not in header or value not in header:
            sys.stderr.write("csv_groupby: %s: bad header\n" % os.fsdecode(p))
            sys.exit(2)
        k, v = header.index(key), header.index(value)
        for line in rows[1:]:
            if not line:
                continue
            f = csv_split(line)
            if f is None or len(f) < len(header) or not re.fullmatch(rb"[+-]?[0-9]+", f[v]) \
                    or not -2**63 <= int(f[v]) < 2**63:
                skipped += 1
                continue
            x = int(f[v])
            c, s, lo, hi = stats.get(f[k], (0, 0, x, x))
            stats[f[k]] = (c + 1, s + x, min(lo, x), max(hi, x))
    for name in sorted(stats):
        c, s, lo, hi = stats[name]
        out.write(b"%s\t%d\t%d\t%d\t%d\n" % (name, c, s, lo, hi))
    if skipped:
        sys.stderr.write("csv_groupby: skipped %d rows (value not an integer, too few fields or broken quoting)\n" % skipped)


# ---- words: maximal runs of code points of category L*, M*, N*, each lowercased alone ----------
def words(data):
    text = data.decode("utf-8", errors="replace")  # ill-formed bytes become U+FFFD: a separator
    word = []
    for ch in text + " ":
        if unicodedata.category(ch)[0] in "LMN":
            low = ch.lower()
            word.append(low if len(low) == 1 else {"\u0130": "i"}.get(ch, ch))  # simple mapping
        elif word:
            yield "".join(word).encode()
            word = []


def inverted_index(paths):
    index = {}
    for p in walk(paths):
        for w in set(words(read(p))):
            index.setdefault(w, set()).add(p)
    for w in sorted(index):
        out.write(w + b"".join(b"\t" + p for p in sorted(index[w])) + b"\n")


def freq_of_freq(paths):
    counts = {}
    for p in walk(paths):
        for w in words(read(p)):
            counts[w] = counts.get(w, 0) + 1
    freq = {}
    for c in counts.values():
        freq[c] = freq.get(c, 0) + 1
    for k in sorted(freq):
        out.write(b"%d\t%d\n" % (k, freq[k]))


def long_words(top, paths):
    counts = {}
    for p in walk(paths):
        for w in words(read(p)):
            if len(w.decode()) > 7:
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
    for w, c in ranked[: int(top) or None]:
        out.write(b"%s\t%d\n" % (w, c))


def primes(n):
    n = int(n)
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\0\0"[: n + 1]
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, n + 1, i)))
    ps = [i for i in range(n + 1) if sieve[i]]
    out.write(b"%d\t%d\n" % (len(ps), sum(ps)))


if __name__ == "__main__":
    prog, args = sys.argv[1], sys.argv[2:]
    if prog == "csv_groupby":
        csv_groupby(args[0], args[1], args[2:])
    elif prog == "long_words":
        long_words(args[0], args[1:])
    elif prog == "primes":
        primes(args[0])
    else:
        {"log_status": log_status, "inverted_index": inverted_index, "freq_of_freq": freq_of_freq}[prog](args)
