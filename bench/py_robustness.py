#!/usr/bin/env python3
"""Robustness of Python process pools: what each reports when a task's
worker is killed mid-task, when a task runs past its time, when a worker
segfaults, when the initializer raises, when a worker dies inside map
(os._exit in one item, chunks of 2) or inside imap (one item's worker
SIGKILLed), and whether the pool goes on. The "in s" column is the time
to report (billiard, for one, reports a lost worker only after its
lost_worker_timeout, 10 s).

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

The cases init, map_exit and imap_kill (one_more) pass, in turn, when
every task fails promptly with an error, or their submission is refused
with one (none hangs: a pool that starts failing workers for ever does
not pass); when map raises and the pool then
maps again; when the dying item's next() raises, the 7 other items come,
and the pool then maps again. billiard runs them without enable_timeouts.

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
         "segfault": "worker segfaults",
         "init": "the initializer raises",
         "map_exit": "os._exit in 1 of 8 items of map(chunksize=2)",
         "imap_kill": "worker of 1 of 8 items of imap SIGKILLed"}
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


def init_fails():
    raise RuntimeError("initializer refuses")


def exit_on_5(x):
    if x == 5:
        os._exit(1)
    return x


def killed_on_3(x):
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return x


class Adapter:
    """submit(fn, args, limit) -> handle; result(handle, wait) -> value;
    map(fn, items, chunksize) -> list; imap(fn, items) -> iterator."""

    def __init__(self, name, initializer=None, timeouts=True):
        self.name = name
        if name == "mproc.Pool":
            sys.path.insert(0, str(HERE.parent / "bindings" / "python"))
            import mproc
            self.pool = mproc.Pool(2, initializer=initializer)
        elif name == "multiprocessing.Pool":
            import multiprocessing
            self.pool = multiprocessing.Pool(2, initializer=initializer)
        elif name == "ProcessPoolExecutor":
            import concurrent.futures
            self.pool = concurrent.futures.ProcessPoolExecutor(2, initializer=initializer)
        elif name == "pebble.ProcessPool":
            import pebble
            self.pool = pebble.ProcessPool(2, initializer=initializer)
        elif name == "billiard.Pool":
            import billiard.pool
            # Per-task time limits need enable_timeouts (as Celery sets);
            # the cases without limits leave it off (with it, imap's
            # lost worker crashes billiard's TimeoutHandler thread).
            self.pool = billiard.pool.Pool(2, initializer=initializer,
                                           enable_timeouts=timeouts)

    def map(self, fn, items, chunksize):
        if self.name == "ProcessPoolExecutor":
            return list(self.pool.map(fn, items, chunksize=chunksize))
        if self.name == "pebble.ProcessPool":
            return list(self.pool.map(fn, items, chunksize=chunksize).result())
        return self.pool.map(fn, items, chunksize)

    def imap(self, fn, items):
        if self.name == "ProcessPoolExecutor":
            return self.pool.map(fn, items)
        if self.name == "pebble.ProcessPool":
            return self.pool.map(fn, items).result()
        return self.pool.imap(fn, items)

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


def capped(fn, cap=WAIT):
    """(True, value) or (False, exception) of fn(), or None if it did not
    return within `cap` seconds (it is left running, on a daemon thread)."""
    import threading
    box = []

    def run():
        try:
            box.append((True, fn()))
        except BaseException as exc:  # noqa: B902
            box.append((False, exc))
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(cap)
    return box[0] if box else None


def said(outcome, cap=WAIT):
    if outcome is None:
        return f"no result in {cap:.0f} s: hangs"
    ok, value = outcome
    return f"returned {value!r}"[:46] if ok else describe(value)


def one_more(pool_name, case):
    """The cases beyond one victim among short tasks: a failing
    initializer (passes when every task fails promptly, none hangs), a
    worker dying inside map (passes when map raises and the pool then maps
    again) or inside imap (passes when the item's next() raises, the 7
    other items come, and the pool then maps again)."""
    t0 = time.monotonic()
    made = capped(lambda: Adapter(pool_name, init_fails if case == "init" else None, False))
    if made is None or not made[0]:
        print(json.dumps({"pool": pool_name, "case": case, "passed": False,
                          "victim": "pool not made: " + said(made)}))
        sys.stdout.flush()
        os._exit(0)
    pool = made[1]
    others_ok = others_err = None
    if case == "init":
        handles = capped(lambda: [pool.submit(short, (i,)) for i in range(4)])
        outcomes = [handles] if handles is None or not handles[0] else []
        deadline = time.monotonic() + WAIT
        for h in handles[1] if not outcomes else ():
            left = max(0.1, deadline - time.monotonic())
            got = capped(lambda h=h: pool.result(h, left), left + 1)
            if got is not None and not got[0] and type(got[1]).__name__ == "TimeoutError":
                got = None  # the wait gave up: no result
            outcomes.append(got)
            if got is None:
                break
        victim_says = said(outcomes[0])
        failed = all(o is not None and not o[0] for o in outcomes)
        took = time.monotonic() - t0
        stopped = True
        after = capped(lambda: [pool.result(pool.submit(short, (i,)), WAIT) for i in range(4)])
        after_ok, after_err = (4, []) if after and after[0] else (0, [said(after)])
        # Refusing the submissions at once, with an error, fails them
        # promptly too.
        refused = handles is not None and not handles[0]
        passed = failed and (refused or len(outcomes) == 4)
        others_ok, others_err = sum(1 for o in outcomes if o and o[0]), []
    else:
        if case == "map_exit":
            got = capped(lambda: pool.map(exit_on_5, list(range(8)), 2))
            failed = got is not None and not got[0]
            victim_says = said(got)
            others_ok, others_err = None, []
        else:
            items = capped(lambda: pool.imap(killed_on_3, list(range(8))))
            values, errors = [], []
            deadline = time.monotonic() + WAIT
            if items is not None and items[0]:
                it = items[1]
                for _ in range(8):
                    got = capped(lambda: next(it), max(0.1, deadline - time.monotonic()))
                    if got is None:
                        errors.append(said(None))
                        break
                    if got[0]:
                        values.append(got[1])
                    elif isinstance(got[1], StopIteration):
                        errors.append("iteration ended")
                        break
                    else:
                        errors.append(describe(got[1]))
            else:
                errors.append(said(items))
            failed = len(errors) == 1 and sorted(values) == [0, 1, 2, 4, 5, 6, 7]
            victim_says = errors[0] if errors else "no error"
            others_ok, others_err = len(values), errors[1:]
        took = time.monotonic() - t0
        stopped = True
        after = capped(lambda: pool.map(short, list(range(4)), 1))
        after_ok = 4 if after and after[0] and after[1] == [0, 1, 2, 3] else 0
        after_err = [] if after_ok else [said(after)]
        passed = failed and after_ok == 4
    print(json.dumps({"pool": pool_name, "case": case, "victim": victim_says,
                      "victim_s": round(took, 2), "task_stopped": stopped,
                      "others_ok": others_ok, "others_errors": others_err,
                      "after_ok": after_ok, "after_errors": after_err, "passed": passed}))
    sys.stdout.flush()
    import threading
    threading.Thread(target=pool.stop, daemon=True).start()
    time.sleep(2)
    os._exit(0)


def one(pool_name, case):
    if case in ("init", "map_exit", "imap_kill"):
        return one_more(pool_name, case)
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


def print_row(runs):
    """One row of the table: the first round that did not pass, else the
    first round, and how many rounds passed."""
    passed = sum(r["passed"] for r in runs)
    r = next((r for r in runs if not r["passed"]), runs[0])
    # The others: 4 short tasks beside the victim; imap's 7 other items;
    # none in map_exit and init.
    others = r.get("others_ok")
    others = "-" if others is None or r["case"] in ("init", "map_exit") else \
        f"{others}/{7 if r['case'] == 'imap_kill' else 4}"
    print(f"{r['pool']:21} {r['case']:9} {r['victim'][:46]:46} {r.get('victim_s', '-'):>5} "
          f"{str(r.get('task_stopped', '-')):7} {others:6} "
          f"{str(r.get('after_ok', '-')) + '/4':5} {passed}/{len(runs)}")
    for key in ("others_errors", "after_errors"):
        if r.get(key):
            print(f"{'':31}{key.split('_')[0]}: {'; '.join(r[key])[:100]}")


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
            print_row(runs)
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
