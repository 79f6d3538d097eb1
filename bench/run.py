#!/usr/bin/env python3
"""Runs mproc's benchmarks side by side with their baselines.

Every workload has one mproc command and one or more baseline commands
(Python's multiprocessing, or the raw OS). Each command prints one number.
The runner alternates them -- mproc, baseline 1, baseline 2, mproc, ... --
for several repetitions in the same run, so both sides see the same machine,
then prints a table of medians, ranges and ratios and appends the figures
as JSON lines (one object per workload and baseline).

    python3 bench/run.py --build-dir build              # every workload
    python3 bench/run.py --build-dir build -k queue     # names containing "queue"
    python3 bench/run.py --build-dir build --list
    python3 bench/run.py --build-dir build -k soak  # only the soak (bench/soak.py)
    python3 bench/run.py --build-dir build --chart ratios.png  # and draw the ratios

With --wine-build-dir, the mproc side of each workload the Windows build
has (bench/meson.build builds mproc-bench.exe there) also runs under Wine, as
one more row labelled "Wine" -- figures of Wine on this machine, not Windows
timings. Only the Wine rows:
    python3 bench/run.py --build-dir build --wine-build-dir build-win -b Wine
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import py_robustness  # noqa: E402
import soak  # noqa: E402
import workloads  # noqa: E402


def run_once(argv, env, timeout):
    """One measurement: the command's single printed number."""
    out = subprocess.run(argv, env=env, timeout=timeout, check=False,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {out.returncode}: "
                           f"{out.stderr.strip()[-400:]}")
    lines = [ln for ln in out.stdout.split("\n") if ln.strip()]
    if not lines:
        raise RuntimeError(f"{' '.join(argv)} printed nothing")
    return float(lines[-1].split()[0])


def summarize(values):
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values)}


def speedup(unit_better, mproc, baseline):
    """How many times better mproc is: above 1 means mproc wins."""
    if mproc <= 0 or baseline <= 0:
        return float("nan")
    return baseline / mproc if unit_better == "lower" else mproc / baseline


def fmt(x):
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


WINE_LABEL = "Wine (not Windows)"  # the mproc side under Wine, on this machine


class WineContext(workloads.Context):
    """The mproc side of the workloads, from a Windows build run under Wine
    (tests/win/wine.sh puts libuv and the mingw runtime on WINEPATH; the
    build's own mproc.dll is added here)."""

    def __init__(self, build_dir, deps_dir):
        super().__init__(build_dir)
        repo = pathlib.Path(__file__).resolve().parent.parent
        self.wrapper = [str(repo / "tests" / "win" / "wine.sh")]
        if deps_dir:
            self.wrapper += ["--deps", str(pathlib.Path(deps_dir).resolve())]
        self.env = {"WINEPATH": "Z:" + str(build_dir / "src")}
        self.exe = str(self.bench_dir / "mproc-bench.exe")
        self.available = self._workload_names()

    def _workload_names(self):
        # Without arguments mproc-bench lists its workloads on stderr.
        out = subprocess.run(self.wrapper + [self.exe], env=dict(os.environ, **self.env),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=120)
        return {ln.strip() for ln in out.stderr.splitlines() if ln.startswith("  ")}

    def mproc_bench(self, *args):
        return [*self.wrapper, self.exe, *args]

    def wine_side(self, workload):
        """The workload's mproc command under Wine, or None and the reason
        where the Windows build cannot run it."""
        try:
            argv = workload.mproc(self)
        except Exception as err:  # noqa: BLE001 - a workload this context cannot build
            return None, f"no Windows command ({err})"
        n = len(self.wrapper)
        if argv[:n + 1] != [*self.wrapper, self.exe] or len(argv) < n + 2:
            return None, "its mproc side is not mproc-bench (strace counts, the Python binding)"
        if any("fork" in a for a in argv[n + 1:]):
            return None, "Windows has no fork: spawn is its only start method"
        if "mpi" in argv[n + 2:]:
            return None, "Windows builds have no MPI pools (include/mproc/pool_mpi.h)"
        if argv[n + 1] not in self.available:
            return None, f"mproc-bench.exe has no workload {argv[n + 1]}"
        return argv, None


def missing_program(argv):
    """The program a command runs when this build did not make it (the Boost
    programs without Boost), else None."""
    program = pathlib.Path(argv[0])
    return program if program.is_absolute() and not program.exists() else None


def measure(workload, baselines, ctx, repeats, timeout):
    sides = [("mproc", workload.mproc(ctx))]
    sides += [(name, argv(ctx)) for name, argv in baselines]
    values = {name: [] for name, _ in sides}
    env = dict(os.environ, **ctx.env)
    env.update(getattr(ctx, "wine_env", {}))
    for _ in range(repeats):
        for name, argv in sides:
            values[name].append(run_once(argv, env, timeout))
    return values


def draw_chart(rows, args):
    """Draws the rows with bench/chart.py, run by a Python that has
    matplotlib: this one, or Debian's (python3-matplotlib) when this one is
    another installation. Returns 0, or 1 if no picture was made."""
    python = sys.executable
    if subprocess.run([python, "-c", "import matplotlib"], capture_output=True).returncode:
        python = "/usr/bin/python3"
    script = pathlib.Path(__file__).resolve().parent / "chart.py"
    out = subprocess.run([python, str(script), args.chart, chart_caption(args)],
                         input=json.dumps(rows), text=True, check=False)
    if out.returncode != 0:
        print(f"no chart: {script.name} exited {out.returncode} "
              "(it needs matplotlib: Debian's python3-matplotlib)")
        return 1
    print(f"chart written to {args.chart}")
    return 0


def chart_caption(args):
    """What the chart was measured on: date, CPU model, load at the end."""
    cpu = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"bench/run.py -n {args.repeats}, {time.strftime('%Y-%m-%d')}, {cpu}, "
            f"{os.cpu_count()} CPUs, load average {load}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True,
                        help="the Meson build folder holding bench/ programs")
    parser.add_argument("-k", "--filter", action="append", default=[],
                        help="run only workloads whose name contains this")
    parser.add_argument("-n", "--repeats", type=int, default=5,
                        help="runs of each side (default 5)")
    parser.add_argument("--output", help="JSON lines file "
                        "(default <build-dir>/bench/results.jsonl)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds allowed per single run")
    parser.add_argument("-b", "--baseline", action="append", default=[],
                        help="compare only with baselines whose name contains this")
    parser.add_argument("--brief", action="store_true",
                        help="one short line per comparison (the demo's summary)")
    parser.add_argument("--wine-build-dir",
                        help="also run the mproc side from this Windows (mingw) build "
                        "under Wine, in rows labelled Wine")
    parser.add_argument("--wine-deps", help="tests/win/deps.sh's folder "
                        "(default: tests/win/wine.sh's, <repo>/build-win-deps)")
    parser.add_argument("--soak-scale", type=float, default=1.0,
                        help="multiplies the soak's counts (default 1: the full run)")
    parser.add_argument("--chart", metavar="FILE.png",
                        help="also draw this run's ratios, every workload against every "
                        "baseline on a log scale (bench/chart.py, python3-matplotlib)")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()

    ctx = workloads.Context(pathlib.Path(args.build_dir).resolve())
    wine = None
    if args.wine_build_dir:
        wine = WineContext(pathlib.Path(args.wine_build_dir).resolve(), args.wine_deps)
        ctx.wine_env = wine.env
    chosen = [w for w in workloads.ALL
              if not args.filter or any(f in w.name for f in args.filter)]
    # The soak has figures that must be zero, not a baseline to compare with.
    with_soak = soak.selected(args.filter) and not args.baseline
    # Likewise the Python pools' robustness table: outcomes, not figures.
    with_robustness = py_robustness.selected(args.filter) and not args.baseline
    if args.list:
        for w in chosen:
            print(f"{w.name:36} {w.unit:10} {w.description}")
        if with_soak:
            print(f"{soak.NAME:36} {'figures':10} {soak.DESCRIPTION}")
        if with_robustness:
            print(f"{py_robustness.NAME:36} {'outcomes':10} {py_robustness.DESCRIPTION}")
        return 0
    if not chosen and not with_soak and not with_robustness:
        print("no workload matches", args.filter, file=sys.stderr)
        return 2

    output = pathlib.Path(args.output) if args.output else \
        ctx.build_dir / "bench" / "results.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)

    header = (f"{'workload':34} {'unit':9} {'mproc median (min-max)':28} "
              f"{'baseline':22} {'baseline median (min-max)':28} {'speedup':>8}")
    if not args.brief and chosen:
        print(header)
        print("-" * len(header))
    failures = 0
    rows = []  # this run's figures, for --chart
    with output.open("a") as sink:
        for w in chosen:
            baselines = list(w.baselines)
            wine_argv, wine_skip = wine.wine_side(w) if wine else (None, None)
            if wine_argv:
                baselines.append((WINE_LABEL, lambda c, argv=wine_argv: argv))
            elif wine_skip and (not args.baseline or any(f in WINE_LABEL for f in args.baseline)):
                print(f"{w.name:34} {WINE_LABEL}: skipped: {wine_skip}")
            baselines = [b for b in baselines
                         if not args.baseline or any(f in b[0] for f in args.baseline)]
            for name, argv in list(baselines):
                missing = name != WINE_LABEL and missing_program(argv(ctx))
                if missing:
                    print(f"{w.name:34} {name}: skipped: {missing.name} not built "
                          "(bench/meson.build builds it only when its library is found)")
                    baselines.remove((name, argv))
            if not baselines:
                continue  # nothing left to compare it with
            try:
                values = measure(w, baselines, ctx, args.repeats, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                print(f"{w.name:34} FAILED: {err}")
                failures += 1
                continue
            mine = summarize(values["mproc"])
            mine_text = f"{fmt(mine['median'])} ({fmt(mine['min'])}-{fmt(mine['max'])})"
            for name, _ in baselines:
                base = summarize(values[name])
                ratio = speedup(w.better, mine["median"], base["median"])
                base_text = f"{fmt(base['median'])} ({fmt(base['min'])}-{fmt(base['max'])})"
                if args.brief:
                    print(f"  {w.description:58} mproc {fmt(mine['median']):>7} {w.unit:9} "
                          f"{name:24} {fmt(base['median']):>7}  -> {ratio:6.1f}x")
                else:
                    print(f"{w.name:34} {w.unit:9} {mine_text:28} {name:22} "
                          f"{base_text:28} {ratio:7.2f}x")
                rows.append({"workload": w.name, "baseline_name": name, "speedup": ratio})
                sink.write(json.dumps({
                    "workload": w.name, "unit": w.unit, "better": w.better,
                    "mproc": mine["median"], "mproc_min": mine["min"],
                    "mproc_max": mine["max"], "baseline_name": name,
                    "baseline": base["median"], "baseline_min": base["min"],
                    "baseline_max": base["max"], "speedup": ratio,
                    "runs": args.repeats, "time": time.time(),
                    "platform": "wine" if name == WINE_LABEL else "linux",
                }) + "\n")
            sys.stdout.flush()
    if with_soak:
        failures += soak.run(ctx, output, args.soak_scale, args.brief)
    if with_robustness:
        print(f"\n{py_robustness.NAME}: {py_robustness.DESCRIPTION}")
        env_library = ctx.env["MPROC_LIBRARY"]
        os.environ.setdefault("MPROC_LIBRARY", env_library)
        py_robustness.table(output=output)
    if args.chart and rows:
        failures += draw_chart(rows, args)
    if not args.brief:
        print(f"\nfigures appended to {output}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
