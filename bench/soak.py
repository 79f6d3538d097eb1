"""The soak as one of bench/run.py's workloads ("soak").

Runs <build>/bench/mproc-soak (bench/soak.cpp), which prints one JSON line
of figures per part; prints them, appends one row per part to the results
file beside the other workloads' rows, and prints the rows of README's
"Soak" table. Fails when the program does (a must-be-zero figure was not
zero, a recovery was missing, something did not end within its bound).

    python3 bench/run.py --build-dir build -k soak                 # the full run
    python3 bench/run.py --build-dir build -k soak --soak-scale 0.05  # the short one
"""
import json
import os
import random
import subprocess
import sys
import time

NAME = "soak"
DESCRIPTION = ("SIGKILLs in queues, locks and pools, start/exit cycles, "
               "timed waits under load")
TIMEOUT_S = 3600  # a full run takes minutes; its own bounds catch a hang sooner


def selected(filters):
    return not filters or any(f in NAME for f in filters)


def cpu_model():
    """lscpu's model name (and CPU count), for the rows."""
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=30, check=False).stdout
    except OSError:
        return "unknown"
    fields = {k.strip(): v.strip() for k, v in
              (ln.split(":", 1) for ln in out.splitlines() if ":" in ln)}
    return (f"{fields.get('Model name', '?')} (family {fields.get('CPU family', '?')}, "
            f"model {fields.get('Model', '?')}), {fields.get('CPU(s)', '?')} CPUs")


def _n(x):
    return f"{x:,.0f}" if x == int(x) else f"{x:.3g}"


def _all_back(f, method):
    keys = ("fds", "shm_objects", "zombies", "descendants", "descendant_fds")
    return all(f.get(f"{method}_{k}_end") == f.get(f"{method}_{k}_start") for k in keys)


def markdown_rows(parts):
    """README's soak rows: what was done | what must hold | what was measured."""
    rows = []
    q = parts.get("queue_kills")
    if q:
        rows.append(
            f"| queue: {_n(q['kills'])} SIGKILLs at random points of put/get, 4 producers, "
            f"4 consumers | lost {_n(q['lost'])}, duplicated {_n(q['duplicated'])}, "
            f"torn {_n(q['torn'])}, deadlocks {_n(q['deadlocks'])} "
            f"({_n(q['puts_acknowledged'])} acknowledged puts) | served again after a kill: "
            f"max {_n(q['served_again_max_ms'])} ms, p99 {_n(q['served_again_p99_ms'])} ms, "
            f"median {_n(q['served_again_median_ms'])} ms |")
    lk = parts.get("lock_kills")
    if lk:
        rows.append(
            f"| locks: {_n(lk['holders_killed'])} holders SIGKILLed while holding (Lock, "
            f"RLock, Condition) | recovered with EOWNERDEAD: "
            f"{_n(lk['recovered_with_eownerdead'])} of {_n(lk['holders_killed'])} | "
            f"recovery: max {_n(lk['recovery_max_ms'])} ms, p99 {_n(lk['recovery_p99_ms'])} ms, "
            f"median {_n(lk['recovery_median_ms'])} ms |")
    p = parts.get("pool_kills")
    if p:
        rows.append(
            f"| pool: {_n(p['workers_killed_mid_task'])} workers SIGKILLed mid-task "
            f"({_n(p['kills'])} kills, {_n(p['tasks'])} tasks) | killed tasks not failed "
            f"with EWORKER {_n(p['killed_tasks_not_failed_with_eworker'])}, other tasks "
            f"failed {_n(p['other_tasks_failed'])}, wrong results {_n(p['wrong_results'])}, "
            f"hangs {_n(p['hangs'])} | {_n(p['seconds'])} s |")
    c = parts.get("start_cycles")
    if c:
        methods = [m for m in ("spawn", "fork", "forkserver") if f"{m}_cycles" in c]
        back = ", ".join(f"{m} {'yes' if _all_back(c, m) else 'NO'}" for m in methods)
        per = ", ".join(f"{m} {_n(c[f'{m}_ms_per_cycle'])}" for m in methods
                        if f"{m}_ms_per_cycle" in c)
        rows.append(
            f"| start/exit: {_n(c['cycles_per_method'])} cycles under each start method | "
            f"zombies, descriptors, shared-memory objects back to their start: {back} | "
            f"ms per cycle: {per} |")
    w = parts.get("timed_waits")
    if w:
        rows.append(
            f"| timed waits: {_n(w['waits_per_kind'])} of each of {_n(w['kinds'])} kinds, "
            f"{_n(w['busy_processes'])} busy-looping processes | early {_n(w['early'])} | "
            f"lateness p99 {_n(w['lateness_p99_ms'])} ms (target {_n(w['target_p99_ms'])}), "
            f"median {_n(w['lateness_median_ms'])} ms, max {_n(w['lateness_max_ms'])} ms |")
    return rows


def run(ctx, output, scale, brief=False):
    """Runs the soak, prints it, appends its rows to `output`; returns the
    number of failures (0 or 1)."""
    seed = random.getrandbits(63)
    argv = [str(ctx.bench_dir / "mproc-soak"), "--scale", str(scale), "--seed", str(seed)]
    started = time.time()
    # The summary the program prints on stderr goes straight through.
    try:
        proc = subprocess.run(argv, env=dict(os.environ, **ctx.env), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL if brief else None, text=True,
                              timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"{NAME:34} FAILED: {err}")
        return 1
    seconds = time.time() - started
    parts = {}
    for line in proc.stdout.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        parts[row.pop("part")] = row
    cpu = cpu_model()
    with output.open("a") as sink:
        for part, figures in parts.items():
            ok = figures.pop("ok")
            failures = figures.pop("failures")
            sink.write(json.dumps({
                "workload": f"{NAME}_{part}", "figures": figures, "ok": ok,
                "failures": failures, "scale": scale, "seed": seed,
                "command": " ".join(["mproc-soak", *argv[1:]]), "cpu": cpu,
                "time": time.time(), "platform": "linux",
            }) + "\n")
    verdict = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
    print(f"{NAME:34} {verdict}: {len(parts)} parts in {seconds:.0f} s, scale {scale}, "
          f"seed {seed}, {cpu}")
    if not brief:
        print("\nREADME rows (Measured, Soak):")
        for row in markdown_rows(parts):
            print(row)
    sys.stdout.flush()
    return 0 if proc.returncode == 0 else 1
