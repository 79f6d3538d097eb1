#!/usr/bin/env python3
"""Python baselines: the same workloads with Python's standard library
(multiprocessing above all). `py_baselines.py <workload> [args]` prints one
number in the workload's unit."""
import multiprocessing as mp
import os
import queue
import sys
import threading
import time
from multiprocessing.connection import Client, Listener


def _noop():
    pass


def _idle(conn):
    conn.send_bytes(b"up")
    conn.recv_bytes()


def _echo(conn):
    while True:
        msg = conn.recv_bytes()
        if not msg:
            return
        conn.send_bytes(msg)


def _source(conn, size, count):
    msg = b"x" * size
    for _ in range(count):
        conn.send_bytes(msg)
    conn.send_bytes(b"")


def _rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return -1.0


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


def start_join(method):
    """Milliseconds per Process(target=noop).start() + join()."""
    ctx = mp.get_context(method)
    rounds = 20 if method == "spawn" else 100
    for _ in range(3):
        p = ctx.Process(target=_noop)
        p.start()
        p.join()
    t0 = time.perf_counter()
    for _ in range(rounds):
        p = ctx.Process(target=_noop)
        p.start()
        p.join()
    return (time.perf_counter() - t0) / rounds * 1e3


def child_rss(method):
    """Resident MiB of an idle child process."""
    ctx = mp.get_context(method)
    near, far = ctx.Pipe()
    p = ctx.Process(target=_idle, args=(far,))
    p.start()
    near.recv_bytes()
    mib = _rss_mib(p.pid)
    near.send_bytes(b"go")
    p.join()
    return mib


def pipe_pingpong():
    """Microseconds per 64-byte round trip through multiprocessing.Pipe."""
    ctx = mp.get_context("fork")
    near, far = ctx.Pipe()
    p = ctx.Process(target=_echo, args=(far,))
    p.start()
    msg = b"x" * 64
    for _ in range(2000):
        near.send_bytes(msg)
        near.recv_bytes()
    rounds = 30000
    t0 = time.perf_counter()
    for _ in range(rounds):
        near.send_bytes(msg)
        near.recv_bytes()
    elapsed = time.perf_counter() - t0
    near.send_bytes(b"")
    p.join()
    return elapsed / rounds * 1e6


def pipe_throughput(size):
    """One-way Pipe throughput: M msgs/s (<= 4 KiB) or GB/s."""
    size = int(size)
    count = 300000 if size <= 4096 else 1000
    ctx = mp.get_context("fork")
    near, far = ctx.Pipe()
    t0 = time.perf_counter()
    p = ctx.Process(target=_source, args=(far, size, count))
    p.start()
    got = 0
    while near.recv_bytes():
        got += 1
    elapsed = time.perf_counter() - t0
    p.join()
    assert got == count
    return count / elapsed / 1e6 if size <= 4096 else count * size / elapsed / 1e9


def _net_echo(address, key):
    with Client(address, authkey=key) as conn:
        while True:
            m = conn.recv_bytes()
            if not m:
                break
            conn.send_bytes(m)


def _net_source(address, key, size, count):
    with Client(address, authkey=key) as conn:
        msg = b"x" * size
        for _ in range(count):
            conn.send_bytes(msg)
        conn.send_bytes(b"")


def _net_dialer(address, key, count):
    for _ in range(count):
        Client(address, authkey=key).close()


def _net_served(target, *args):
    """A Listener on TCP loopback with an authkey, and a forked child
    running target(address, key, *args) against it."""
    key = os.urandom(32)
    listener = Listener(("127.0.0.1", 0), authkey=key, backlog=128)
    ctx = mp.get_context("fork")
    p = ctx.Process(target=target, args=(listener.address, key, *args))
    p.start()
    return listener, p


def net_pingpong():
    """Microseconds per 64-byte round trip over an authenticated
    multiprocessing.connection on TCP loopback."""
    listener, p = _net_served(_net_echo)
    conn = listener.accept()
    msg = b"x" * 64
    for _ in range(2000):
        conn.send_bytes(msg)
        conn.recv_bytes()
    rounds = 30000
    t0 = time.perf_counter()
    for _ in range(rounds):
        conn.send_bytes(msg)
        conn.recv_bytes()
    elapsed = time.perf_counter() - t0
    conn.send_bytes(b"")
    p.join()
    conn.close()
    listener.close()
    return elapsed / rounds * 1e6


def net_throughput(size):
    """One-way messages over an authenticated connection: M msgs/s."""
    size, count = int(size), 300000
    listener, p = _net_served(_net_source, int(size), count)
    conn = listener.accept()
    t0 = time.perf_counter()
    got = 0
    while conn.recv_bytes():
        got += 1
    elapsed = time.perf_counter() - t0
    p.join()
    conn.close()
    listener.close()
    assert got == count
    return count / elapsed / 1e6


def net_accepts():
    """Connections accepted and authenticated per second."""
    count = 1000
    listener, p = _net_served(_net_dialer, count)
    t0 = time.perf_counter()
    for _ in range(count):
        listener.accept().close()
    elapsed = time.perf_counter() - t0
    p.join()
    listener.close()
    return count / elapsed


def _pong(ping, pong, rounds):
    for _ in range(rounds):
        ping.acquire()
        pong.release()


def lock_pairs():
    """Millions of uncontended multiprocessing.Lock acquire+release pairs/s."""
    lock = mp.get_context("fork").Lock()
    n = 2000000
    acquire, release = lock.acquire, lock.release
    t0 = time.perf_counter()
    for _ in range(n):
        acquire()
        release()
    return n / (time.perf_counter() - t0) / 1e6


def sem_pairs():
    """Millions of uncontended multiprocessing.Semaphore pairs/s."""
    sem = mp.get_context("fork").Semaphore(1)
    n = 2000000
    acquire, release = sem.acquire, sem.release
    t0 = time.perf_counter()
    for _ in range(n):
        acquire()
        release()
    return n / (time.perf_counter() - t0) / 1e6


def sem_handoff():
    """Microseconds per round trip of two processes alternating through
    two multiprocessing.Semaphores."""
    ctx = mp.get_context("fork")
    ping, pong = ctx.Semaphore(0), ctx.Semaphore(0)
    warm, rounds = 2000, 30000
    p = ctx.Process(target=_pong, args=(ping, pong, warm + rounds))
    p.start()
    for _ in range(warm):
        ping.release()
        pong.acquire()
    t0 = time.perf_counter()
    for _ in range(rounds):
        ping.release()
        pong.acquire()
    elapsed = time.perf_counter() - t0
    p.join()
    return elapsed / rounds * 1e6


def idle_waiter_cpu():
    """CPU milliseconds of a Semaphore.acquire(timeout=1) that times out."""
    sem = mp.get_context("fork").Semaphore(0)
    t0 = time.process_time()
    sem.acquire(timeout=1.0)
    return (time.process_time() - t0) * 1e3


def _queue_source(q, size, count):
    msg = b"x" * size
    for _ in range(count):
        q.put(msg)


def _queue_sink(q, done):
    while q.get() is not None:
        pass
    done.put(None)


def _queue_server(requests, replies):
    while True:
        msg = requests.get()
        if msg is None:
            return
        replies.put(msg)


def queue_throughput(kind, size, producers, consumers):
    """One-way multiprocessing.Queue/SimpleQueue throughput between
    processes: M msgs/s (<= 4 KiB) or GB/s."""
    size, producers, consumers = int(size), int(producers), int(consumers)
    count = 200000 if size <= 4096 else 2000
    ctx = mp.get_context("fork")
    q = ctx.SimpleQueue() if kind == "simple" else ctx.Queue()
    done = ctx.SimpleQueue()
    t0 = time.perf_counter()
    sinks = [ctx.Process(target=_queue_sink, args=(q, done)) for _ in range(consumers)]
    sources = [ctx.Process(target=_queue_source, args=(q, size, count // producers))
               for _ in range(producers)]
    for p in sinks + sources:
        p.start()
    for p in sources:
        p.join()
    for _ in sinks:
        q.put(None)
    for _ in sinks:
        done.get()
    elapsed = time.perf_counter() - t0
    for p in sinks:
        p.join()
    total = count // producers * producers
    return total / elapsed / 1e6 if size <= 4096 else total * size / elapsed / 1e9


def queue_roundtrip():
    """Microseconds per 64-byte request and reply through two
    multiprocessing.Queues."""
    ctx = mp.get_context("fork")
    requests, replies = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_queue_server, args=(requests, replies))
    p.start()
    msg = b"x" * 64
    for _ in range(1000):
        requests.put(msg)
        replies.get()
    rounds = 10000
    t0 = time.perf_counter()
    for _ in range(rounds):
        requests.put(msg)
        replies.get()
    elapsed = time.perf_counter() - t0
    requests.put(None)
    p.join()
    return elapsed / rounds * 1e6


def queue_rss():
    """MiB a multiprocessing.Queue holding one 64-byte message adds."""
    pid = os.getpid()
    before = _rss_mib(pid)
    q = mp.get_context("fork").Queue()
    q.put(b"x" * 64)
    time.sleep(0.05)  # the feeder thread writes the message to its pipe
    after = _rss_mib(pid)
    q.get()
    return after - before


def queue_idle_cpu():
    """CPU milliseconds of a multiprocessing.Queue.get(timeout=1) that times
    out."""
    q = mp.get_context("fork").Queue()
    t0 = time.process_time()
    try:
        q.get(timeout=1.0)
    except queue.Empty:
        pass
    return (time.process_time() - t0) * 1e3


def _identity(x):
    return x


def _double(x):
    return 2 * x


def _mproc_pool(processes):
    """The Python front end's Pool (bindings/python), on the library named
    by MPROC_LIBRARY (the runner's context sets it)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "bindings", "python"))
    import mproc
    return mproc.Pool(processes)


def pool_apply_async(kind):
    """Thousands of trivial tasks per second: Pool(2).apply_async or
    ProcessPoolExecutor(2).submit, 20,000 tasks, then every result.
    kind "mproc": the Python front end's Pool (mproc.Pool)."""
    n = 20000
    ctx = mp.get_context("fork")
    if kind == "executor":
        import concurrent.futures as cf
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
            for f in [ex.submit(_identity, 7) for _ in range(200)]:
                f.result()
            t0 = time.perf_counter()
            futures = [ex.submit(_identity, 7) for _ in range(n)]
            for f in futures:
                f.result()
            elapsed = time.perf_counter() - t0
    else:
        with _mproc_pool(2) if kind == "mproc" else ctx.Pool(2) as pool:
            for r in [pool.apply_async(_identity, (7,)) for _ in range(200)]:
                r.get()
            t0 = time.perf_counter()
            results = [pool.apply_async(_identity, (7,)) for _ in range(n)]
            for r in results:
                r.get()
            elapsed = time.perf_counter() - t0
    return n / elapsed / 1e3


def pool_map(kind):
    """Millions of items per second: a map over 1,000,000 ints on Pool(2)
    (automatic chunks) or ProcessPoolExecutor(2) (chunks of 10,000). kind
    "mproc": mproc.Pool(2), automatic chunks as multiprocessing's."""
    n = 1000000
    data = list(range(n))
    ctx = mp.get_context("fork")
    if kind == "executor":
        import concurrent.futures as cf
        with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
            list(ex.map(_double, range(1000), chunksize=100))
            t0 = time.perf_counter()
            list(ex.map(_double, data, chunksize=10000))
            elapsed = time.perf_counter() - t0
    else:
        with _mproc_pool(2) if kind == "mproc" else ctx.Pool(2) as pool:
            pool.map(_double, range(1000))
            t0 = time.perf_counter()
            pool.map(_double, data)
            elapsed = time.perf_counter() - t0
    return n / elapsed / 1e6


def _dict_key(i):
    return b"key-%012d" % i  # 16 bytes


def _dict_worker(d, op, count, seed, barrier, results, index):
    keys = [_dict_key(i) for i in range(1000)]
    value = b"v" * 64
    rng = seed
    barrier.wait()
    t0 = time.perf_counter()
    for i in range(count):
        rng = (rng * 1103515245 + 12345) & 0xFFFFFFFF
        key = keys[(rng >> 8) % 1000]
        if op == "set":
            d[key] = value
        else:
            d[key]
    results[index] = time.perf_counter() - t0


def manager_dict(op):
    """Millions of gets or sets per second on a Manager().dict() of 1,000
    16-byte keys and 64-byte values, two processes together (every access
    a round trip to the manager process)."""
    ctx = mp.get_context("fork")
    count = 10000
    with ctx.Manager() as manager:
        d = manager.dict({_dict_key(i): b"v" * 64 for i in range(1000)})
        barrier = ctx.Barrier(2)
        results = ctx.Array("d", 2)
        workers = [ctx.Process(target=_dict_worker, args=(d, op, count, i + 1, barrier, results, i))
                   for i in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return 2 * count / max(results) / 1e6


def _dict_killable(d, w, next_seq, attempt, done):
    while True:
        with next_seq.get_lock():
            seq = next_seq[w]
            next_seq[w] = seq + 1
        k = (seq * 7) % 64
        attempt[w * 64 + k] = seq
        key = b"w%d-key-%08d" % (w, k)
        if seq % 4 == 0:
            d.pop(key, None)
        else:
            d[key] = (seq, b"x" * 48)
        done[w * 64 + k] = seq


def manager_dict_kill_lost():
    """The kill test of bench_dict.cpp against a Manager().dict(): four
    writer processes, one SIGKILLed at a random moment 100 times (the
    manager process applies each update, so a killed client loses none);
    committed entries lost afterwards."""
    import random
    import signal
    ctx = mp.get_context("fork")
    with ctx.Manager() as manager:
        d = manager.dict()
        next_seq = ctx.Array("q", [1] * 4)
        attempt = ctx.Array("q", 4 * 64, lock=False)
        done = ctx.Array("q", 4 * 64, lock=False)
        start = lambda w: ctx.Process(target=_dict_killable, args=(d, w, next_seq, attempt, done))
        writers = [start(w) for w in range(4)]
        for w in writers:
            w.start()
        for _ in range(100):
            time.sleep(random.random() * 0.005)
            victim = random.randrange(4)
            os.kill(writers[victim].pid, signal.SIGKILL)
            writers[victim].join()
            writers[victim] = start(victim)
            writers[victim].start()
        for w in writers:
            os.kill(w.pid, signal.SIGKILL)
            w.join()
        snapshot = d.copy()

        def holds(w, k, seq):
            key = b"w%d-key-%08d" % (w, k)
            if seq == 0 or seq % 4 == 0:
                return key not in snapshot
            return snapshot.get(key, (None,))[0] == seq

        return sum(1 for w in range(4) for k in range(64)
                   if not holds(w, k, done[w * 64 + k]) and not holds(w, k, attempt[w * 64 + k]))


WORKLOADS = {
    "manager_dict": manager_dict,
    "manager_dict_kill_lost": manager_dict_kill_lost,
    "pool_apply_async": pool_apply_async,
    "pool_map": pool_map,
    "queue_idle_cpu": queue_idle_cpu,
    "queue_throughput": queue_throughput,
    "queue_roundtrip": queue_roundtrip,
    "queue_rss": queue_rss,
    "lock_pairs": lock_pairs,
    "sem_pairs": sem_pairs,
    "sem_handoff": sem_handoff,
    "idle_waiter_cpu": idle_waiter_cpu,
    "thread_queue_roundtrip": thread_queue_roundtrip,
    "start_join": start_join,
    "child_rss": child_rss,
    "pipe_pingpong": pipe_pingpong,
    "pipe_throughput": pipe_throughput,
    "net_pingpong": net_pingpong,
    "net_throughput": net_throughput,
    "net_accepts": net_accepts,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in WORKLOADS:
        print("usage: py_baselines.py <workload>:", *WORKLOADS, file=sys.stderr)
        return 2
    print(f"{WORKLOADS[sys.argv[1]](*sys.argv[2:]):.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
