#!/usr/bin/env python3
"""Robustness of Python process pools: what each reports when a task's
worker is killed mid-task, when a task runs past its time, and when a
worker segfaults, and whether the pool goes on.

    py_robustness.py                 the table (every pool, every scenario)
    py_robustness.py one POOL CASE   one cell, printed as JSON

Pools: the Python front end's mproc.Pool, multiprocessing.Pool,
concurrent.futures.ProcessPoolExecutor, pebble.ProcessPool and
billiard.Pool (Debian: python3-pebble, python3-billiard), each with 2
workers and its default start method. Each cell runs in a fresh
interpreter under a hard limit, so a pool that hangs is reported as
hanging instead of stopping the table.

In each cell: four short tasks and the victim are submitted together; the
victim's outcome is read (within 20 s: longer is "no result: hangs"), then
the four others', then four new tasks are submitted and read. A cell
passes when the victim alone fails, with an exception, its task stopped,
and all eight others succeed. Each cell runs three times: some pools'
outcomes depend on timing.

The per-task time limit: mproc.Pool apply_async(timeout=), pebble
schedule(timeout=), billiard apply_async(timeout=) (with
enable_timeouts=True). multiprocessing.Pool
and ProcessPoolExecutor have none: their cell waits with get(timeout) /
result(timeout), which gives up waiting but leaves the task running.
"""
import ctypes
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
POOLS = ["mproc.Pool", "multiprocessing.Pool", "ProcessPoolExecutor", "pebble.ProcessPool",
         "billiard.Pool"]
CASES = {"kill": "worker killed mid-task (SIGKILL)",
         "timeout": "task over its 1 s time limit",
         "segfault": "worker segfaults"}
# Seconds a result may take before it counts as lost: above billiard's
# lost_worker_timeout (10 s), after which it reports a lost worker.
WAIT = 20.0
LIMIT = 1.0       # the victim's time limit in the timeout case
CELL_LIMIT = 120  # a cell that takes longer hangs


def short(i):
    time.sleep(0.2)
    return i


def victim(case, pid_file):
    with open(pid_file + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(pid_file + ".tmp", pid_file)
    if case == "segfault":
        ctypes.string_at(0)
    time.sleep(60)
    return "victim finished"


class Adapter:
    """submit(fn, args, limit) -> handle; result(handle, wait) -> value."""

    def __init__(self, name):
        self.name = name
        if name == "mproc.Pool":
            sys.path.insert(0, str(HERE.parent / "bindings" / "python"))
            import mproc
            self.pool = mproc.Pool(2)
        elif name == "multiprocessing.Pool":
            import multiprocessing
            self.pool = multiprocessing.Pool(2)
        elif name == "ProcessPoolExecutor":
            import concurrent.futures
            self.pool = concurrent.futures.ProcessPoolExecutor(2)
        elif name == "pebble.ProcessPool":
            import pebble
            self.pool = pebble.ProcessPool(2)
        elif name == "billiard.Pool":
            import billiard.pool
            # Per-task time limits need enable_timeouts (as Celery sets).
            self.pool = billiard.pool.Pool(2, enable_timeouts=True)

    def submit(self, fn, args, limit=None):
        if self.name == "mproc.Pool":
            return self.pool.apply_async(fn, args, timeout=limit)
        if self.name in ("multiprocessing.Pool",):
            return self.pool.apply_async(fn, args)
        if self.name == "billiard.Pool":
            return self.pool.apply_async(fn, args, timeout=limit)
        if self.name == "pebble.ProcessPool":
            return self.pool.schedule(fn, args=args, timeout=limit)
        return self.pool.submit(fn, *args)

    def result(self, handle, wait):
        if hasattr(handle, "get"):
            return handle.get(wait)
        return handle.result(wait)

    def stop(self):
        if self.name in ("ProcessPoolExecutor",):
            for p in list(getattr(self.pool, "_processes", {}).values()):
                p.kill()
            self.pool.shutdown(wait=False, cancel_futures=True)
        elif self.name == "pebble.ProcessPool":
            self.pool.stop()
        else:
            self.pool.terminate()


def describe(exc):
    # billiard hands its errors over wrapped with their traceback.
    inner = getattr(exc, "exc", None)
    if isinstance(inner, BaseException):
        exc = inner
    if isinstance(exc, TimeoutError) or type(exc).__name__ == "TimeoutError":
        return f"{type(exc).__module__}.{type(exc).__name__}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:70]}" if text else type(exc).__name__


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def one(pool_name, case):
    pool = Adapter(pool_name)
    tmp = tempfile.mkdtemp()
    pid_file = os.path.join(tmp, "victim.pid")
    limit = LIMIT if case == "timeout" else None
    others = [pool.submit(short, (i,)) for i in range(2)]
    v = pool.submit(victim, (case, pid_file), limit)
    others += [pool.submit(short, (i,)) for i in range(2, 4)]
    deadline = time.monotonic() + WAIT
    while not os.path.exists(pid_file) and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = int(open(pid_file).read()) if os.path.exists(pid_file) else None
    if case == "kill" and pid:
        os.kill(pid, signal.SIGKILL)
    # Wait-based limits: only the get's timeout, for pools without a
    # per-task limit.
    wait = LIMIT if case == "timeout" and pool_name in (
        "multiprocessing.Pool", "ProcessPoolExecutor") else WAIT
    t0 = time.monotonic()
    try:
        got = pool.result(v, wait)
        victim_says = f"returned {got!r}"
        failed = False
    except BaseException as exc:  # noqa: B902
        victim_says = describe(exc)
        failed = True
        if time.monotonic() - t0 >= wait - 0.05 and "imeout" in victim_says and case != "timeout":
            victim_says = f"no result in {WAIT:.0f} s: hangs"
            failed = False
    took = time.monotonic() - t0
    time.sleep(0.3)
    stopped = pid is None or not pid_alive(pid)

    def count(handles):
        ok, errors = 0, set()
        for h in handles:
            try:
                pool.result(h, WAIT)
                ok += 1
            except BaseException as exc:  # noqa: B902
                errors.add(describe(exc))
        return ok, sorted(errors)
    others_ok, others_err = count(others)
    try:
        after_ok, after_err = count([pool.submit(short, (i,)) for i in range(4)])
    except BaseException as exc:  # noqa: B902
        after_ok, after_err = 0, [f"submit refused: {describe(exc)}"]
    passed = failed and stopped and others_ok == 4 and after_ok == 4
    print(json.dumps({"pool": pool_name, "case": case, "victim": victim_says,
                      "victim_s": round(took, 2), "task_stopped": stopped,
                      "others_ok": others_ok, "others_errors": others_err,
                      "after_ok": after_ok, "after_errors": after_err, "passed": passed}))
    sys.stdout.flush()
    if pid and pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    # A pool whose shutdown hangs does not hold the table up: the cell's
    # figures are out, and the cell's session is killed after it.
    import threading
    threading.Thread(target=pool.stop, daemon=True).start()
    time.sleep(2)
    os._exit(0)


def cell(pool_name, case, python):
    proc = subprocess.Popen([python, __file__, "one", pool_name, case], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=CELL_LIMIT)
        out = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        return {"pool": pool_name, "case": case, "victim": f"cell hung past {CELL_LIMIT} s",
                "passed": False}
    finally:
        # Whatever the pool left behind (workers of a pool that did not
        # stop) goes with the cell's session.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"pool": pool_name, "case": case, "passed": False,
                "victim": f"cell failed: {out.stderr.strip()[-200:]}"}
    return json.loads(lines[-1])


NAME = "py_pool_robustness"
DESCRIPTION = ("Python pools when a worker is killed, a task overruns its limit, a worker "
               "segfaults: mproc.Pool, multiprocessing, concurrent.futures, pebble, billiard")


def selected(filters):
    return not filters or any(f in NAME for f in filters)


def interpreter():
    """An interpreter that has pebble and billiard (Debian's packages are
    /usr/bin/python3's), else this one (those rows then say why)."""
    for python in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(python) and subprocess.run(
                [python, "-c", "import pebble, billiard"], capture_output=True).returncode == 0:
            return python
    return sys.executable


def table(python=None, output=None, rounds=3):
    """Runs every cell `rounds` times (outcomes can depend on timing: a
    pool may blame the wrong task now and then). A row shows the first
    round that did not pass, else the first round."""
    python = python or interpreter()
    print(f"{'pool':21} {'case':9} {'the affected task gets':46} {'in s':>5} "
          f"{'stopped':7} {'others':6} {'after':5} passed")
    rows = []
    for case in CASES:
        for name in POOLS:
            runs = [cell(name, case, python) for _ in range(rounds)]
            rows.extend(runs)
            passed = sum(r["passed"] for r in runs)
            r = next((r for r in runs if not r["passed"]), runs[0])
            print(f"{name:21} {case:9} {r['victim'][:46]:46} {r.get('victim_s', '-'):>5} "
                  f"{str(r.get('task_stopped', '-')):7} {str(r.get('others_ok', '-')) + '/4':6} "
                  f"{str(r.get('after_ok', '-')) + '/4':5} {passed}/{rounds}")
            for key in ("others_errors", "after_errors"):
                if r.get(key):
                    print(f"{'':31}{key.split('_')[0]}: {'; '.join(r[key])[:100]}")
            sys.stdout.flush()
    if output:
        with open(output, "a") as sink:
            for r in rows:
                sink.write(json.dumps(dict(r, workload=NAME,
                                           time=time.time())) + "\n")
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "one":
        one(sys.argv[2], sys.argv[3])
    else:
        table()
