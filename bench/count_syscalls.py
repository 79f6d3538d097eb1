#!/usr/bin/env python3
"""Runs a benchmark command under `strace -f -c` and prints how many system
calls it made per million operations: the evidence that an uncontended
acquire/release never enters the kernel (the count is the program's start
and exit, spread over the operations).

    count_syscalls.py <operations> <command> [args...]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    if shutil.which("strace") is None:
        print("strace is not installed", file=sys.stderr)
        return 1
    operations = float(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "strace.txt")
        subprocess.run(["strace", "-f", "-c", "-o", report, *sys.argv[2:]],
                       check=True, stdout=subprocess.DEVNULL)
        with open(report) as f:
            text = f.read()
    calls = None
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[-1] == "total":
            # "% time  seconds  usecs/call  calls  [errors]  total": the
            # whole numbers are usecs/call, calls and perhaps errors.
            whole = [int(x) for x in fields[:-1] if re.fullmatch(r"\d+", x)]
            if len(whole) >= 2:
                calls = whole[1]
    if calls is None:
        print("could not read strace's summary", file=sys.stderr)
        return 1
    print(f"{calls / operations * 1e6:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
