#!/usr/bin/env python3
"""mpi4py's MPIPoolExecutor (mpi4py.futures, Debian's python3-mpi4py) on the
MPI pool workloads of bench/bench_pool.cpp (`mproc-bench <workload> mpi`):
two worker ranks spawned on this machine, the same work, the same counts.
Prints one number.

    py_mpi_baselines.py apply_async    # k tasks/s
    py_mpi_baselines.py map            # M items/s
"""
import sys
import time

from mpi4py.futures import MPIPoolExecutor


def _identity(x):
    return x


def _double(x):
    return 2 * x


def apply_async():
    """Thousands of trivial tasks per second: 20,000 submits, then every
    result (after 200 to warm up, one at a time)."""
    n = 20000
    with MPIPoolExecutor(max_workers=2) as ex:
        for _ in range(200):
            ex.submit(_identity, 7).result()
        t0 = time.perf_counter()
        futures = [ex.submit(_identity, 7) for _ in range(n)]
        for f in futures:
            f.result()
        elapsed = time.perf_counter() - t0
    return n / elapsed / 1e3


def map_():
    """Millions of items per second: a map over 1,000,000 ints in the
    chunks mproc and Python's Pool pick (four per worker: 125,000 items)."""
    n = 1000000
    data = list(range(n))
    with MPIPoolExecutor(max_workers=2) as ex:
        list(ex.map(_double, range(1000), chunksize=125))
        t0 = time.perf_counter()
        out = list(ex.map(_double, data, chunksize=n // 8))
        elapsed = time.perf_counter() - t0
    assert out[-1] == 2 * (n - 1)
    return n / elapsed / 1e6


WORKLOADS = {"apply_async": apply_async, "map": map_}


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in WORKLOADS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(WORKLOADS)}}}")
    print(f"{WORKLOADS[sys.argv[1]]():.6g}")


if __name__ == "__main__":
    main()
