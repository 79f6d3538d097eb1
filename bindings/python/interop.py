#!/usr/bin/env python3
"""The Python side of the interoperation test: opens the named queue a C
program made, puts COUNT messages "python:<i>", takes COUNT messages (from
anyone) and prints each on its own line.

    interop.py QUEUE_NAME COUNT
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mproc  # noqa: E402


def main():
    name, count = sys.argv[1], int(sys.argv[2])
    with mproc.Queue.open(name, raw=True) as q:
        for i in range(count):
            q.put_bytes(b"python:%d" % i, timeout=60)
        for _ in range(count):
            print(q.get_bytes(timeout=60).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
