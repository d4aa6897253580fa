#!/usr/bin/env bash
# Checks the example programs (examples/) against the plain reference (reference.py): generates
# varied inputs, runs each program in every mode with several worker counts and chunk sizes, and
# compares stdout (and stderr) byte for byte, also in --mode mpi under mpirun (1, 2, 3 ranks) when
# mpirun is installed (CHECK_MPI=0 skips those). Also checks the error convention (exit 2).
#   tests/examples/check.sh BUILD_DIR     (BUILD_DIR holds the built examples)
#   CHECK_KEEP=1 tests/examples/check.sh BUILD_DIR    keeps the inputs and outputs (path printed)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
corpus="$here/../../data/corpus"
ref="python3 $here/reference.py"
work=$(mktemp -d)
if [ -n "${CHECK_KEEP:-}" ]; then echo "check: inputs and outputs in $work"; else trap 'rm -rf "$work"' EXIT; fi
cd "$work"

# ---- Inputs -------------------------------------------------------------------------------------
python3 - "$corpus" <<'EOF'
import os, random, shutil, sys
random.seed(7)

def put(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)

# Logs: Common and Combined format, IPv6 hosts, escaped quotes, "-" sizes, CRLF, empty lines,
# trailing spaces, malformed lines, a hidden file and a hidden folder that must be skipped.
hosts = ["127.0.0.1", "10.0.0.7", "2001:db8::1", "::1", "fe80::a:b:c:d", "example.org"]
users = ["-", "frank", "alice"]
times = ["[10/Oct/2000:13:55:36 -0700]", "[01/Jan/2024:00:00:00 +0000]", "[]", "[a b c]"]
requests = ['GET / HTTP/1.1', 'POST /api/v1 HTTP/2', 'GET /q?x=\\"1\\" HTTP/1.0', '', 'GET /a\\\\ HTTP/1.1',
            'GET /with space/and [brackets] HTTP/1.1', 'HEAD /\u00fcber HTTP/1.1']
statuses = ["200", "200", "200", "304", "404", "500", "201", "099", "999"]

def good():
    size = random.choice(["-", "0", str(random.randint(1, 99999)), "123456789012"[: random.randint(1, 12)]])
    line = f'{random.choice(hosts)} - {random.choice(users)} {random.choice(times)} "{random.choice(requests)}" {random.choice(statuses)} {size}'
    tail = random.choice(["", "", " ", "  ", ' "http://ref/" "Mozilla/5.0 (X11; Linux)"', ' "-" "-" extra fields'])
    return line + tail

bad = ['garbage', ' ', '   ', '127.0.0.1 - - [x] "GET /" 2000 12', '127.0.0.1 - - [x] "GET /" 20 12',
       '127.0.0.1 - - [x] "GET /" 200', '127.0.0.1 - - [x] "GET /" 200 ', '127.0.0.1 - - [x] "GET /" 200 12x',
       '127.0.0.1 - - [x] "GET /" 200 -1', '127.0.0.1  - - [x] "GET /" 200 12', '127.0.0.1 - - x] "GET /" 200 12',
       '127.0.0.1 - - [x "GET /" 200 12', '127.0.0.1 - - [x] GET / 200 12', '127.0.0.1 - - [x] "GET /\\" 200 12',
       '127.0.0.1 - - [x]  "GET /" 200 12', '127.0.0.1 - - [x] "GET /" abc 12', '127.0.0.1 - - [x] "GET /" 200 99999999999999999999',
       '127.0.0.1 - - [x] "GET /" 200\t12', '- - - [] "" 200 -', '\t']
def log(n, crlf=False, final_newline=True):
    rows = [random.choice(bad) if random.random() < 0.1 else ("" if random.random() < 0.05 else good()) for _ in range(n)]
    nl = "\r\n" if crlf else "\n"
    return nl.join(rows) + (nl if final_newline else "")
put("logs/access.log", log(3000))
put("logs/2024/01/win.log", log(500, crlf=True, final_newline=False))
put("logs/2024/02/tiny.log", '::1 - - [t] "GET /" 200 5')
put("logs/2024/empty.log", "")
put("logs/2024/blank.log", "\n\n\r\n\n")
put("logs/.hidden.log", log(50))
put("logs/.old/skipped.log", log(50))
put("single.log", log(200))

# CSV: headers in different orders, quoted fields with commas and doubled quotes, CRLF, values
# that are not integers, int64 limits, short rows, broken quoting, empty keys, a data row equal
# to its header, a hidden file with a header that would fail.
keys = ["north", "south", "east, west", 'say "hi"', "", "Zürich", "東京", " padded "]
values = [str(random.randint(-1000, 1000)) for _ in range(20)] + ["+12", "-0", "007", "9223372036854775808",
          "-9223372036854775809", "1.5", "", " 3", "3 ", "x", "--1", "+-1", "+", "-", "0x10", "1e3"]
# The int64 limits, once each under a key of their own (so that the sum fits in 64 bits).
limits = ["limits,9223372036854775807,", "limits,-9223372036854775808,", "limits,-9223372036854775808,",
          "limits,9223372036854775807,", "limits,9223372036854775807,"]
def q(field):
    if any(c in field for c in ',"') or random.random() < 0.2:
        return '"' + field.replace('"', '""') + '"'
    return field
def csv(columns, n, crlf=False, final_newline=True, extra=()):
    rows = [",".join(columns)]
    for _ in range(n):
        rec = {"city": random.choice(keys), "amount": random.choice(values), "note": random.choice(["", "a,b", 'q"q', "plain"]),
               "id": str(random.randint(1, 9))}
        line = ",".join(q(rec[c]) for c in columns)
        r = random.random()
        if r < 0.03: line = ",".join(q(rec[c]) for c in columns[:-1])  # too few fields
        elif r < 0.05: line += ",surplus"                              # more fields: fine
        elif r < 0.07: line = line + ',"broken'                        # no closing quote
        elif r < 0.08: line = 'x"y,' + line                            # quote in an unquoted field
        elif r < 0.09: line = ""                                        # empty line
        rows.append(line)
    rows += list(extra)
    nl = "\r\n" if crlf else "\n"
    return nl.join(rows) + (nl if final_newline else "")
put("csv/a.csv", csv(["city", "amount", "note"], 1500, extra=limits))
put("csv/sub/b.csv", csv(["note", "id", "amount", "city"], 700, crlf=True, final_newline=False))
put("csv/sub/deeper/c.csv", csv(["amount", "city"], 300, extra=["amount,city", "amount,city", '"5",amount']))
put("csv/d.csv", "amount,city\n")
put("csv/empty.csv", "")
put("csv/.hidden.csv", "nothing,useful\n1,2\n")
# A value column named "7": data rows equal to the header are rows with value 7.
put("csv_num/h.csv", "city,7\nx,1\ncity,7\ncity,7\n")
put("csv_num/sub/h.csv", "7,city,n\r\n7,city,n\r\n-1,city,n\r\n9,city\r\n")

# Text: the corpus, plus nested folders, CRLF, no final newline, invalid UTF-8, empty files,
# hidden files with words that must not appear.
shutil.copytree(sys.argv[1], "text/corpus")
put("text/nested/a/b/mixed.txt", "Ünïcödé TEXT, ΣΊΣΥΦΟΣ σίσυφος İstanbul ß straße\r\nDŽemal ǅemal 日本語の文章 ١٢٣ 123abc abc123\r\n")
put("text/nested/a/noeol.txt", "last line without newline État été")
put("text/nested/a/invalid.bin", b"valid\xffbytes\xc3(end \xe2\x82 half \xed\xa0\x80 surrogate caf\xc3\xa9 overlong \xc0\xaf ok\n")
put("text/nested/empty.txt", "")
put("text/nested/.secret.txt", "hiddenword zzzhidden\n")
put("text/.git/objects.txt", "hiddenfolder zzzhidden\n")
words = ["alpha", "Beta", "GAMMA", "δέλτα", "эпсилон", "ζήτα", "北京", "mañana", "naïve", "coöperate",
         "extraordinarily", "Straßenbahnhaltestelle", "incomprehensibilities", "x", "y2k"]
put("text/generated.txt", "\n".join(" ".join(random.choice(words) for _ in range(random.randint(0, 12))) for _ in range(800)))
EOF

# ---- Runs ---------------------------------------------------------------------------------------
runs=0
launch=(env)  # what starts a program: mpirun for the mpi rows
fail() { echo "check: $*" >&2; exit 1; }

# expect NAME ARGS...: the reference's stdout and stderr for the program NAME.
expect() {
  local name=$1; shift
  drain  # compares still running read the previous reference of this name
  $ref "$name" "$@" >"$work/$name.out" 2>"$work/$name.err" || fail "reference $name $*: $(cat "$work/$name.err")"
}

# compare NAME OPTIONS... -- ARGS...: runs the program with OPTIONS ARGS, compares with expect's.
# Runs in the background, CHECK_JOBS (default 2) at a time, each with its own output files; a
# failing run prints why and fails the script at the next drain or the next run it waits for.
jobs_max=${CHECK_JOBS:-2}
running=0
started=0
compare() {
  local name=$1; shift
  local opts=() ; while [ "$1" != "--" ]; do opts+=("$1"); shift; done; shift
  started=$((started + 1))
  local got="$work/got.$started"
  (
    rc=0
    "${launch[@]}" "$bin/$name" "${opts[@]}" "$@" >"$got.out" 2>"$got.err" || rc=$?
    [ $rc -eq 0 ] || fail "${launch[*]} $name ${opts[*]}: exit $rc: $(head -c 300 "$got.err")"
    cmp -s "$got.out" "$work/$name.out" || {
      diff "$work/$name.out" "$got.out" | head -10 >&2
      fail "$name ${opts[*]}: stdout differs from the reference (< reference, > got)"
    }
    cmp -s "$got.err" "$work/$name.err" || fail "$name ${opts[*]}: stderr: '$(head -c 300 "$got.err")', expected '$(cat "$work/$name.err")'"
    rm -f "$got.out" "$got.err"
  ) &
  running=$((running + 1))
  if [ $running -ge "$jobs_max" ]; then
    wait -n || exit 1
    running=$((running - 1))
  fi
  runs=$((runs + 1))
}
# drain: waits for every compare still running; fails if one failed.
drain() {
  while [ $running -gt 0 ]; do
    wait -n || exit 1
    running=$((running - 1))
  done
}

# every NAME ARGS...: all modes, workers 1 and 3 (more than the test machine's 2 cores, and an
# uneven split), chunk sizes 1 7 64 4KiB and the default.
every() {
  local name=$1; shift
  [ -s "$work/$name.out" ] || fail "$name: the reference printed nothing"
  for mode in seq threads processes shm; do
    for workers in 1 3; do
      for chunk in 1 7 64 4KiB default; do
        local opts=(--mode "$mode" --workers "$workers")
        [ "$chunk" = default ] || opts+=(--chunk-size "$chunk")
        compare "$name" "${opts[@]}" -- "$@"
      done
    done
  done
  every_mpi "$name" "$@"
  drain
  echo "check: $name: $(wc -l <"$work/$name.out") lines, same as the reference in every mode"
}

# every_mpi NAME ARGS...: --mode mpi under mpirun at 1, 2 and 3 ranks (2 threads each), chunk
# sizes from 1 KiB up. Skipped when mpirun is missing or CHECK_MPI=0.
mpi_ok() { [ "${CHECK_MPI:-1}" != 0 ] && command -v mpirun >/dev/null; }
every_mpi() {
  local name=$1; shift
  mpi_ok || return 0
  for ranks in 1 2 3; do
    # Two jobs at a time: each with a session folder of its own (tests/mpi/mpirun.sh).
    launch=(timeout 120 "$here/../mpi/mpirun.sh" --oversubscribe -n "$ranks")
    for chunk in 1KiB 64KiB default; do
      local opts=(--mode mpi --workers 2)
      [ "$chunk" = default ] || [ "$name" = primes ] || opts+=(--chunk-size "$chunk")
      compare "$name" "${opts[@]}" -- "$@"
    done
  done
  launch=(env)
}

expect log_status logs single.log;                   every log_status logs single.log
expect csv_groupby city amount csv;                  every csv_groupby --key city --value amount -- csv
expect inverted_index text;                          every inverted_index text
expect freq_of_freq text;                            every freq_of_freq text
expect long_words 20 text;                           every long_words text

expect csv_groupby city 7 csv_num;                   every csv_groupby --key city --value 7 -- csv_num

# One file named twice (directly and inside its folder): read twice.
expect csv_groupby city 7 csv_num/h.csv csv_num
compare csv_groupby --key city --value 7 --mode shm --workers 2 -- csv_num/h.csv csv_num
expect inverted_index text/nested/a/noeol.txt text/nested
compare inverted_index --mode processes --workers 2 --chunk-size 7 -- text/nested/a/noeol.txt text/nested

# primes: no files, so no chunk size.
for n in 0 1 2 3 100 7919 200000; do
  expect primes "$n"
  for mode in seq threads processes shm; do
    for workers in 1 3; do compare primes --mode "$mode" --workers "$workers" -- "$n"; done
  done
  [ "$n" != 200000 ] || every_mpi primes "$n"
done
drain
echo "check: primes: same as the reference in every mode"

# ---- Errors: one line "PROGRAM: what" on stderr, nothing on stdout, exit 2 --------------------
# error CODE PATTERN PROGRAM ARGS...
error() {
  local code=$1 pattern=$2 name=$3; shift 3
  drain
  local rc=0
  "$bin/$name" "$@" >"$work/got.out" 2>"$work/got.err" || rc=$?
  [ $rc -eq "$code" ] || fail "$name $*: exit $rc, expected $code"
  [ ! -s "$work/got.out" ] || fail "$name $*: printed on stdout"
  [ "$(wc -l <"$work/got.err")" -eq 1 ] && grep -q "^$name: .*$pattern" "$work/got.err" ||
    fail "$name $*: stderr '$(cat "$work/got.err")' is not one line '$name: ...$pattern...'"
  runs=$((runs + 1))
}
for p in log_status inverted_index freq_of_freq long_words; do
  error 2 "missing/path" "$p" missing/path
  error 2 "mode" "$p" --mode fast text
  error 2 "workers" "$p" --workers 0 text
  error 2 "chunk-size" "$p" --chunk-size lots text
  error 2 "PATH" "$p"
done
error 2 "missing.csv" csv_groupby --key city --value amount csv/missing.csv
error 2 "csv/a.csv.*nope" csv_groupby --key nope --value amount csv
error 2 "csv/a.csv.*\"id\"" csv_groupby --key city --value id csv
error 2 "key" csv_groupby --value amount csv
error 2 "N" primes -3
error 2 "N" primes
echo "check: errors exit 2 with one line on stderr"
echo "check: $runs runs passed"
