#!/usr/bin/env python3
"""Queue throughput between two Python processes: mproc vs multiprocessing.

    bench_queue.py mproc|python [--count N] [--size BYTES] [--pickled]

A spawned child puts COUNT messages of SIZE bytes; the parent gets them.
The clock runs from the first message the parent receives to the last, so
the child's start-up is not counted. Prints one number: millions of
messages per second. mproc's queue runs in raw mode (bytes, no pickling)
unless --pickled; multiprocessing.Queue always pickles, as its users pay
for.
"""
import argparse
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _mproc_producer(name, count, size, raw):
    import mproc
    with mproc.Queue.open(name, raw=raw) as q:
        payload = b"x" * size
        for _ in range(count):
            q.put(payload)


def _python_producer(q, count, size):
    payload = b"x" * size
    for _ in range(count):
        q.put(payload)


def _consume(get, count):
    get()
    start = time.perf_counter()
    for _ in range(count - 1):
        get()
    return (count - 1) / (time.perf_counter() - start)


def bench_mproc(ctx, count, size, pickled):
    import mproc
    q = mproc.Queue(named=True, raw=not pickled)
    try:
        child = ctx.Process(target=_mproc_producer,
                            args=(q.name, count, size, not pickled))
        child.start()
        try:
            rate = _consume(q.get, count)
        finally:
            child.join()
    finally:
        q.unlink()
        q.close()
    return rate


def bench_python(ctx, count, size, pickled):
    q = ctx.Queue()
    child = ctx.Process(target=_python_producer, args=(q, count, size))
    child.start()
    try:
        rate = _consume(q.get, count)
    finally:
        child.join()
    return rate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("side", choices=("mproc", "python"))
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--pickled", action="store_true",
                        help="mproc: pickle like multiprocessing (no effect on python)")
    args = parser.parse_args()
    if args.count < 2 or args.size < 0:
        parser.error("--count must be at least 2 and --size non-negative")
    ctx = multiprocessing.get_context("spawn")
    run = bench_mproc if args.side == "mproc" else bench_python
    rate = run(ctx, args.count, args.size, args.pickled)
    print(f"{rate / 1e6:.4f}")


if __name__ == "__main__":
    main()
