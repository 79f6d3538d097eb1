#!/usr/bin/env python3
"""Python baselines: the same workloads with Python's standard library
(multiprocessing above all). `py_baselines.py <workload>` prints one number
in the workload's unit."""
import queue
import sys
import threading
import time


def thread_queue_roundtrip():
    """A job handed to another thread through queue.Queue and answered:
    Python's way to talk to a worker thread. Microseconds per round trip."""
    requests, replies = queue.Queue(), queue.Queue()

    def server():
        while True:
            item = requests.get()
            if item is None:
                return
            replies.put(item)

    t = threading.Thread(target=server)
    t.start()
    calls = 20000
    for i in range(2000):
        requests.put(i)
        replies.get()
    t0 = time.perf_counter()
    for i in range(calls):
        requests.put(i)
        replies.get()
    elapsed = time.perf_counter() - t0
    requests.put(None)
    t.join()
    return elapsed / calls * 1e6


WORKLOADS = {
    "thread_queue_roundtrip": thread_queue_roundtrip,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        print("usage: py_baselines.py <workload>:", *WORKLOADS, file=sys.stderr)
        return 2
    print(f"{WORKLOADS[sys.argv[1]](*sys.argv[2:]):.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
