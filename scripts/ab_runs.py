#!/usr/bin/env python3
"""Alternated A/B runs of whole commands: median wall, system and user time per command.

    scripts/ab_runs.py [--rounds N] [--idle SECONDS] 'label=command ...' 'label=command ...' ...

Each round runs every command once, in turn (with --idle, each after that many idle seconds),
the order rotated each round, so no command always runs first or follows the same one. Output
goes to /dev/null; times come from fork/wait4, so they are the command's own, start-up included.
Use `env VAR=value command` in a command to set its environment.

On a VM whose host takes back the memory a guest frees (free page reporting), a run after a few
idle seconds touches memory that must be backed again: --idle 5 measures such cold runs,
no --idle the back-to-back runs that `parapipe bench` measures (docs/performance-history.md).
"""
import argparse
import os
import shlex
import statistics
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15, help="rounds (default 15)")
    ap.add_argument("--idle", type=float, default=0.0, help="idle seconds before each run (default 0)")
    ap.add_argument("commands", nargs="+", metavar="label=command")
    args = ap.parse_args()
    specs = []
    for c in args.commands:
        label, sep, command = c.partition("=")
        if not sep or not label or not command.strip():
            ap.error(f"expected label=command, not {c!r}")
        specs.append((label, shlex.split(command)))
    times = {label: [] for label, _ in specs}
    devnull = os.open(os.devnull, os.O_WRONLY)
    for r in range(args.rounds):
        order = specs[r % len(specs):] + specs[:r % len(specs)]
        for label, argv in order:
            if args.idle:
                time.sleep(args.idle)
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                try:
                    os.execvp(argv[0], argv)
                finally:
                    os._exit(127)
            _, status, usage = os.wait4(pid, 0)
            wall = (time.perf_counter() - start) * 1000
            if os.waitstatus_to_exitcode(status) != 0:
                print(f"{label}: exit {os.waitstatus_to_exitcode(status)}: {shlex.join(argv)}", file=sys.stderr)
                return 1
            times[label].append((wall, usage.ru_stime * 1000, usage.ru_utime * 1000))
    width = max(len(label) for label, _ in specs)
    for label, _ in specs:
        t = times[label]
        med = [statistics.median(x[k] for x in t) for k in range(3)]
        print(f"{label:{width}}  wall median {med[0]:8.1f} ms  min {min(x[0] for x in t):8.1f}  "
              f"sys median {med[1]:7.1f}  user median {med[2]:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
