"""Shared test helpers: unique names, leak checks, child processes and
timing assertions."""
import contextlib
import itertools
import multiprocessing
import os
import time
import unittest

SHM_DIR = "/dev/shm"
# Generous: the machine may be shared and loaded.
SLACK = 3.0
CHILD_TIMEOUT = 60.0

_counter = itertools.count()


def spawn():
    """A fresh interpreter per child: nothing is inherited but what the
    test passes (names), as for an unrelated process."""
    return multiprocessing.get_context("spawn")


def child_env(**extra):
    """os.environ plus what a fresh interpreter needs to import this very
    mproc package, whatever PYTHONPATH the tests were started with."""
    import mproc
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(mproc.__file__)))
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    return dict(os.environ, PYTHONPATH=path, **extra)


def wait_until(predicate, timeout=10.0, interval=0.005):
    """Polls `predicate` until it is true; False after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


class TestCase(unittest.TestCase):
    """Checks, after each test, that every shared name the test made is
    gone from /dev/shm and that no child process is left."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self._check_children)

    def unique_name(self):
        """A fresh name for a named object, checked for at the end."""
        name = f"mproc-pytest-{os.getpid()}-{next(_counter)}"
        self.track(name)
        return name

    def track(self, name):
        """Fails the test if /dev/shm/<name> still exists after it (and
        removes it, so one failure does not leak into the next run)."""
        def check():
            path = os.path.join(SHM_DIR, name)
            if os.path.exists(path):
                os.unlink(path)
                self.fail(f"{path} was left behind")
        self.addCleanup(check)
        return name

    def closing(self, obj):
        """Closes `obj` at the end of the test, whatever happens."""
        self.addCleanup(obj.close)
        return obj

    def command(self, args, **options):
        """A started mproc.Command that is killed, reaped and closed at the
        end of the test, even a failed one."""
        import mproc
        cmd = mproc.Command(args, **options)
        self.addCleanup(cmd.close)
        cmd.start()

        def stop():
            if cmd.is_alive():
                cmd.kill()
            cmd.join(10)
        self.addCleanup(stop)
        return cmd

    def _check_children(self):
        left = multiprocessing.active_children()
        for child in left:
            child.kill()
            child.join(5)
        self.assertEqual(left, [], "child processes were left running")

    def run_child(self, target, *args, ctx=None, timeout=CHILD_TIMEOUT):
        """Runs target(*args) in a child process to its end; returns its
        exit code. A child that outlives `timeout` is killed and fails
        the test."""
        child = self.start_child(target, *args, ctx=ctx)
        return self.join_child(child, timeout)

    def start_child(self, target, *args, ctx=None):
        child = (ctx or spawn()).Process(target=target, args=args)
        child.start()
        self.addCleanup(self._reap, child)
        return child

    def join_child(self, child, timeout=CHILD_TIMEOUT):
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join(5)
            self.fail(f"child {child.pid} still ran after {timeout} s")
        return child.exitcode

    @staticmethod
    def _reap(child):
        if child.is_alive():
            child.kill()
        child.join(5)

    @contextlib.contextmanager
    def assertTakes(self, at_least, at_most=None):
        """The block takes at least `at_least` seconds (minus 20 ms of
        clock rounding) and at most `at_most` (default: at_least + SLACK)."""
        if at_most is None:
            at_most = at_least + SLACK
        start = time.monotonic()
        yield
        took = time.monotonic() - start
        self.assertGreaterEqual(took, at_least - 0.02, f"returned after {took:.3f} s")
        self.assertLessEqual(took, at_most, f"returned after {took:.3f} s")
