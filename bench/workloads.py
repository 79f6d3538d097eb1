"""The benchmark workloads: what mproc runs and what it is compared with.

Each command prints one number in the workload's unit. `better` says which
direction wins ("lower" for times, "higher" for rates), so the runner can
report speedup as "times better than the baseline" either way.
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


class Context:
    def __init__(self, build_dir):
        self.build_dir = build_dir
        self.bench_dir = build_dir / "bench"
        lib_dir = str(build_dir / "src")
        self.env = {"MPROC_BENCH_LIB_DIR": lib_dir}

    def mproc_bench(self, *args):
        return [str(self.bench_dir / "mproc-bench"), *args]

    def raw_bench(self, *args):
        return [str(self.bench_dir / "raw-bench"), *args]

    def python(self, *args):
        return [sys.executable, str(HERE / "py_baselines.py"), *args]


class Workload:
    def __init__(self, name, unit, better, description, mproc, baselines):
        self.name = name
        self.unit = unit
        self.better = better
        self.description = description
        self.mproc = mproc
        self.baselines = baselines


ALL = [
    Workload(
        "runtime_call_roundtrip", "us", "lower",
        "post a job to the reactor thread and wait for it",
        lambda c: c.mproc_bench("runtime_call"),
        [("pthread condvar", lambda c: c.raw_bench("condvar_roundtrip")),
         ("python thread queue", lambda c: c.python("thread_queue_roundtrip"))],
    ),
]
