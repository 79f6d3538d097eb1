"""The benchmark workloads: what mproc runs and what it is compared with.

Each command prints one number in the workload's unit. `better` says which
direction wins ("lower" for times, "higher" for rates), so the runner can
report speedup as "times better than the baseline" either way.
"""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
TRUE = "/bin/true"  # the trivial program of the command rows


class Context:
    def __init__(self, build_dir):
        self.build_dir = build_dir
        self.bench_dir = build_dir / "bench"
        lib_dir = str(build_dir / "src")
        self.env = {"MPROC_BENCH_LIB_DIR": lib_dir,
                    "MPROC_LIBRARY": str(build_dir / "src" / "libmproc.so.0")}

    def mproc_bench(self, *args):
        return [str(self.bench_dir / "mproc-bench"), *args]

    def raw_bench(self, *args):
        return [str(self.bench_dir / "raw-bench"), *args]

    def python(self, *args):
        return [sys.executable, str(HERE / "py_baselines.py"), *args]

    def mpi4py(self, *args):
        # Debian's python3-mpi4py is /usr/bin/python3's; a program run alone
        # asks Open MPI for more ranks than cores (mproc's own MPI pool does
        # the same by itself), so both sides start their two ranks alike.
        python = sys.executable
        if subprocess.run([python, "-c", "import mpi4py.futures"], capture_output=True).returncode:
            python = "/usr/bin/python3"
        return ["env", "OMPI_MCA_rmaps_base_oversubscribe=1", python,
                str(HERE / "py_mpi_baselines.py"), *args]

    def syscalls_per_million(self, operations, argv):
        return [sys.executable, str(HERE / "count_syscalls.py"), str(operations), *argv]

    def python_binding(self, *args):
        return [sys.executable, str(HERE.parent / "bindings" / "python" / "bench_queue.py"), *args]

    def boost_dict(self, *args):
        return [str(self.bench_dir / "boost-dict-bench"), *args]

    def boost_ipc(self, *args):
        return [str(self.bench_dir / "boost-ipc-bench"), *args]

    def boost_process(self, *args):
        return [str(self.bench_dir / "boost-process-bench"), *args]

    def minimal_program(self):
        return str(self.bench_dir / "minimal-cxx")


class Workload:
    def __init__(self, name, unit, better, description, mproc, baselines):
        self.name = name
        self.unit = unit
        self.better = better
        self.description = description
        self.mproc = mproc
        self.baselines = baselines


def start_join(method, *raw):
    return Workload(
        f"start_join_{method}", "ms", "lower",
        f"start a trivial task with {method} and join it",
        lambda c: c.mproc_bench("start_join", method),
        [(f"python {method}", lambda c: c.python("start_join", method)), *raw],
    )


def child_rss(method):
    return Workload(
        f"idle_child_rss_{method}", "MiB", "lower",
        f"resident memory of an idle child started with {method}",
        lambda c: c.mproc_bench("child_rss", method),
        [("minimal C++ program", lambda c: c.raw_bench("program_rss", c.minimal_program())),
         (f"python {method}", lambda c: c.python("child_rss", method))],
    )


ALL = [
    Workload(
        "runtime_call_roundtrip", "us", "lower",
        "post a job to the reactor thread and wait for it",
        lambda c: c.mproc_bench("runtime_call"),
        [("pthread condvar", lambda c: c.raw_bench("condvar_roundtrip")),
         ("python thread queue", lambda c: c.python("thread_queue_roundtrip"))],
    ),
    start_join("spawn", ("posix_spawn minimal C++",
                         lambda c: c.raw_bench("posix_spawn_start", c.minimal_program()))),
    start_join("fork", ("fork+_exit+waitpid", lambda c: c.raw_bench("fork_exit")),
               ("same, from the mproc process", lambda c: c.mproc_bench("fork_exit_here"))),
    start_join("forkserver", ("fork+_exit+waitpid", lambda c: c.raw_bench("fork_exit"))),
    Workload(
        "command_run_true", "ms", "lower",
        "run /bin/true as a command (a fresh program) and wait for it",
        lambda c: c.mproc_bench("command_run", TRUE),
        [("Boost.Process child+wait", lambda c: c.boost_process(TRUE)),
         ("posix_spawn+waitpid", lambda c: c.raw_bench("posix_spawn_start", TRUE))],
    ),
    child_rss("spawn"),
    child_rss("fork"),
    child_rss("forkserver"),
    Workload(
        "conn_pingpong_64B", "us", "lower",
        "64-byte request and reply between two processes over a connection",
        lambda c: c.mproc_bench("conn_pingpong"),
        [("raw socketpair", lambda c: c.raw_bench("socketpair_pingpong")),
         ("python Pipe", lambda c: c.python("pipe_pingpong"))],
    ),
    Workload(
        "conn_throughput_64B", "M msg/s", "higher",
        "one-way 64-byte messages between two processes",
        lambda c: c.mproc_bench("conn_throughput", "64"),
        [("raw pipe, 1 write/msg", lambda c: c.raw_bench("pipe_throughput", "64")),
         ("raw pipe, SIGPIPE-safe write/msg",
          lambda c: c.raw_bench("pipe_throughput_sigpipe_safe", "64")),
         ("raw socketpair, 1 write/msg", lambda c: c.raw_bench("socketpair_throughput", "64")),
         ("python Pipe", lambda c: c.python("pipe_throughput", "64"))],
    ),
    Workload(
        "conn_throughput_1MiB", "GB/s", "higher",
        "one-way 1 MiB messages between two processes",
        lambda c: c.mproc_bench("conn_throughput", "1048576"),
        [("raw pipe, 1 write/msg", lambda c: c.raw_bench("pipe_throughput", "1048576")),
         ("python Pipe", lambda c: c.python("pipe_throughput", "1048576"))],
    ),
    Workload(
        "net_pingpong_64B", "us", "lower",
        "64-byte request and reply over an authenticated TCP loopback connection",
        lambda c: c.mproc_bench("net_pingpong"),
        [("raw TCP pair", lambda c: c.raw_bench("tcp_pingpong")),
         ("python Listener/Client", lambda c: c.python("net_pingpong"))],
    ),
    Workload(
        "net_throughput_64B", "M msg/s", "higher",
        "one-way 64-byte messages over an authenticated TCP loopback connection",
        lambda c: c.mproc_bench("net_throughput", "64"),
        [("raw TCP pair, 1 write/msg", lambda c: c.raw_bench("tcp_throughput", "64")),
         ("python Listener/Client", lambda c: c.python("net_throughput", "64"))],
    ),
    Workload(
        "net_throughput_64B_send_buffer", "M msg/s", "higher",
        "the same, the sender's connection with a 64 KiB send buffer "
        "(mproc_net_opts_set_send_buffer)",
        lambda c: c.mproc_bench("net_throughput", "64", "65536"),
        [("raw TCP pair, 1 write/msg", lambda c: c.raw_bench("tcp_throughput", "64")),
         ("python Listener/Client", lambda c: c.python("net_throughput", "64"))],
    ),
    Workload(
        "net_accepts", "conn/s", "higher",
        "TCP connections accepted and authenticated, one client dialling in a loop",
        lambda c: c.mproc_bench("net_accepts"),
        [("raw TCP accept, no handshake", lambda c: c.raw_bench("tcp_accepts")),
         ("python Listener/Client", lambda c: c.python("net_accepts"))],
    ),
    Workload(
        "lock_uncontended", "M pairs/s", "higher",
        "acquire+release of a Lock nobody else wants",
        lambda c: c.mproc_bench("lock_pairs"),
        [("python Lock", lambda c: c.python("lock_pairs")),
         ("robust pshared pthread mutex", lambda c: c.raw_bench("robust_mutex_pairs")),
         ("sem_t in shared memory", lambda c: c.raw_bench("sem_t_pairs")),
         ("Boost interprocess_mutex", lambda c: c.boost_ipc("mutex_pairs"))],
    ),
    Workload(
        "lock_uncontended_named", "M pairs/s", "higher",
        "acquire+release of a named Lock nobody else wants",
        lambda c: c.mproc_bench("lock_pairs", "named"),
        [("Boost named_mutex", lambda c: c.boost_ipc("named_mutex_pairs"))],
    ),
    Workload(
        "lock_2proc_turns", "M pairs/s", "higher",
        "two processes taking one Lock 2,000,000 times each (both together)",
        lambda c: c.mproc_bench("lock_2proc"),
        [("Boost interprocess_mutex", lambda c: c.boost_ipc("mutex_2proc"))],
    ),
    Workload(
        "semaphore_uncontended", "M pairs/s", "higher",
        "acquire+release of a Semaphore(1) nobody else wants",
        lambda c: c.mproc_bench("sem_pairs"),
        [("sem_t in shared memory", lambda c: c.raw_bench("sem_t_pairs")),
         ("python Semaphore", lambda c: c.python("sem_pairs")),
         ("Boost interprocess_semaphore", lambda c: c.boost_ipc("sem_pairs"))],
    ),
    Workload(
        "handoff_roundtrip", "us", "lower",
        "two processes alternating through two semaphores",
        lambda c: c.mproc_bench("handoff"),
        [("raw futex ping-pong", lambda c: c.raw_bench("futex_pingpong")),
         ("python Semaphore", lambda c: c.python("sem_handoff")),
         ("Boost interprocess_semaphore", lambda c: c.boost_ipc("sem_handoff"))],
    ),
    Workload(
        "idle_waiter_cpu", "ms CPU", "lower",
        "CPU used by a waiter blocked 1 s on a semaphore",
        lambda c: c.mproc_bench("idle_waiter_cpu"),
        [("raw futex wait", lambda c: c.raw_bench("idle_futex_cpu")),
         ("python Semaphore", lambda c: c.python("idle_waiter_cpu"))],
    ),
    Workload(
        "lock_uncontended_syscalls", "calls/Mop", "lower",
        "system calls per million uncontended acquire+release pairs (strace -c)",
        lambda c: c.syscalls_per_million(20100000, c.mproc_bench("lock_pairs")),
        [("sem_t in shared memory",
          lambda c: c.syscalls_per_million(20100000, c.raw_bench("sem_t_pairs")))],
    ),
    *[Workload(
        f"queue_throughput_{label}_{shape}", unit, "higher",
        f"one-way {label} messages, {shape} processes",
        lambda c, size=size, p=p, n=n: c.mproc_bench("queue_throughput", size, p, n),
        [(f"python Queue", lambda c, size=size, p=p, n=n: c.python("queue_throughput", "queue", size, p, n)),
         (f"python SimpleQueue", lambda c, size=size, p=p, n=n: c.python("queue_throughput", "simple", size, p, n))]
        + ([("raw pipe, 1 write/msg", lambda c, size=size: c.raw_bench("pipe_throughput", size)),
            (f"Boost message_queue (depth {depth})",
             lambda c, size=size, depth=depth: c.boost_ipc("mq", size, depth))]
           if shape == "1x1" else [])
        + ([("memcpy from DRAM", lambda c: c.raw_bench("memcpy_bandwidth"))]
           if size == "1048576" else []),
    ) for label, size, unit, depth in [("64B", "64", "M msg/s", "1024"),
                                       ("4KiB", "4096", "M msg/s", "256"),
                                       ("1MiB", "1048576", "GB/s", "8")]
      for shape, p, n in [("1x1", "1", "1"), ("2x2", "2", "2")]],
    Workload(
        "queue_roundtrip_64B", "us", "lower",
        "64-byte request and reply through two queues between two processes",
        lambda c: c.mproc_bench("queue_roundtrip"),
        [("raw futex ping-pong", lambda c: c.raw_bench("futex_pingpong")),
         ("python Queue", lambda c: c.python("queue_roundtrip"))],
    ),
    Workload(
        "queue_idle_consumer_cpu", "ms CPU", "lower",
        "CPU used by a consumer waiting 1 s on an empty queue",
        lambda c: c.mproc_bench("queue_idle_cpu"),
        [("raw futex wait", lambda c: c.raw_bench("idle_futex_cpu")),
         ("python Queue", lambda c: c.python("queue_idle_cpu"))],
    ),
    Workload(
        "queue_rss_1GiB_one_message", "MiB", "lower",
        "resident memory added by a 1 GiB-capacity queue holding one message",
        lambda c: c.mproc_bench("queue_rss"),
        [("python Queue", lambda c: c.python("queue_rss"))],
    ),
    Workload(
        "pool_apply_async_20k", "k tasks/s", "higher",
        "Pool(2): 20,000 trivial apply_async tasks, then every result",
        lambda c: c.mproc_bench("pool_apply_async"),
        [("python Pool.apply_async", lambda c: c.python("pool_apply_async", "pool")),
         ("python ProcessPoolExecutor", lambda c: c.python("pool_apply_async", "executor"))],
    ),
    Workload(
        "pool_map_1M", "M items/s", "higher",
        "Pool(2): map over 1,000,000 small inputs",
        lambda c: c.mproc_bench("pool_map"),
        [("python Pool.map", lambda c: c.python("pool_map", "pool")),
         ("python ProcessPoolExecutor.map", lambda c: c.python("pool_map", "executor"))],
    ),
    Workload(
        "py_pool_apply_async_20k", "k tasks/s", "higher",
        "Python front end mproc.Pool(2): 20,000 trivial apply_async tasks, then every result",
        lambda c: c.python("pool_apply_async", "mproc"),
        [("python Pool.apply_async", lambda c: c.python("pool_apply_async", "pool")),
         ("python ProcessPoolExecutor", lambda c: c.python("pool_apply_async", "executor"))],
    ),
    Workload(
        "py_pool_map_1M", "M items/s", "higher",
        "Python front end mproc.Pool(2): map over 1,000,000 small inputs",
        lambda c: c.python("pool_map", "mproc"),
        [("python Pool.map", lambda c: c.python("pool_map", "pool")),
         ("python ProcessPoolExecutor.map", lambda c: c.python("pool_map", "executor"))],
    ),
    Workload(
        "pool_cpu_bound_map", "s", "lower",
        "CPU-bound map of 32 items: Pool(2) against one process (2.0x is ideal)",
        lambda c: c.mproc_bench("cpu_map_pool"),
        [("same work in one process", lambda c: c.mproc_bench("cpu_map_serial"))],
    ),
    Workload(
        "pool_mpi_apply_async_20k", "k tasks/s", "higher",
        "MPI pool, 2 ranks spawned on this machine: 20,000 trivial apply_async tasks, "
        "then every result",
        lambda c: c.mproc_bench("pool_apply_async", "mpi"),
        [("mpi4py MPIPoolExecutor.submit", lambda c: c.mpi4py("apply_async")),
         ("mproc local Pool(2)", lambda c: c.mproc_bench("pool_apply_async"))],
    ),
    Workload(
        "pool_mpi_map_1M", "M items/s", "higher",
        "MPI pool, 2 ranks spawned on this machine: map over 1,000,000 small inputs",
        lambda c: c.mproc_bench("pool_map", "mpi"),
        [("mpi4py MPIPoolExecutor.map", lambda c: c.mpi4py("map")),
         ("mproc local Pool(2)", lambda c: c.mproc_bench("pool_map"))],
    ),
    Workload(
        "pool_mpi_cpu_bound_map", "s", "lower",
        "CPU-bound map of 32 items: MPI pool of 2 ranks against one process (2.0x is ideal)",
        lambda c: c.mproc_bench("cpu_map_pool", "mpi"),
        [("same work in one process", lambda c: c.mproc_bench("cpu_map_serial")),
         ("mproc local Pool(2)", lambda c: c.mproc_bench("cpu_map_pool"))],
    ),
    Workload(
        "python_binding_queue_64B", "M msg/s", "higher",
        "Python to Python: the mproc binding's Queue against multiprocessing.Queue",
        lambda c: c.python_binding("mproc", "--size", "64"),
        [("python multiprocessing.Queue", lambda c: c.python_binding("python", "--size", "64"))],
    ),
    *[Workload(
        f"dict_{op}_16B_64B_2proc", "M ops/s", "higher",
        f"shared dict {op}s of 16-byte keys, 64-byte values, two processes together",
        lambda c, op=op: c.mproc_bench("dict_ops", op),
        [("python Manager().dict()", lambda c, op=op: c.python("manager_dict", op)),
         ("Boost map + interprocess_mutex", lambda c, op=op: c.boost_dict("ops", op))],
    ) for op in ("get", "set")],
    Workload(
        "dict_kill_lost_entries", "entries", "lower",
        "committed dict entries lost or corrupted after 1,000 SIGKILLs of 4 writers (must be 0)",
        lambda c: c.mproc_bench("dict_kill", "lost"),
        [("python Manager().dict(), 100 kills", lambda c: c.python("manager_dict_kill_lost"))],
    ),
    Workload(
        "dict_kill_longest_stall", "ms", "lower",
        "longest wait of the other writers after one of 4 is SIGKILLed mid-update, of 1,000",
        lambda c: c.mproc_bench("dict_kill", "stall"),
        [("Boost map + interprocess_mutex (cap 2 s)", lambda c: c.boost_dict("kill", "stall"))],
    ),
]
