"""mproc.Process, current_process, active_children and Value/Array: Python
callables in children started by the library (the interpreter started
again through mproc_set_executable)."""
import gc
import multiprocessing.connection
import os
import signal
import subprocess
import sys
import textwrap
import unittest
import weakref

import mproc

from .support import CHILD_TIMEOUT, TestCase, child_env


def put_identity(q, extra, *, key):
    me = mproc.current_process()
    q.put((me.name, me.pid, me.daemon, extra, key, mproc.parent_pid()))


def exit_with(code):
    sys.exit(code)


def raise_error():
    raise RuntimeError("from the child")


def wait_on(event):
    event.wait(CHILD_TIMEOUT)


def add_under_lock(value, array, lock, n):
    for _ in range(n):
        with value.get_lock():
            value.value += 1
    with lock:
        for i in range(len(array)):
            array[i] = array[i] * 2


def notify_under(cond, value):
    with cond:
        value.value = 1
        cond.notify_all()


def start_grandchild(q):
    child = mproc.Process(target=put_identity, args=(q, "grandchild"), kwargs={"key": 2})
    child.start()
    child.join(CHILD_TIMEOUT)
    q.put(child.exitcode)


class _Callable:
    def __call__(self, q, this):
        q.put(mproc.current_process().authkey)


class ProcessTest(TestCase):
    def process(self, **kwargs):
        p = mproc.Process(**kwargs)

        def reap():
            if p._ptr is not None:
                if p.is_alive():
                    p.kill()
                p.join(10)
                p.close()
        self.addCleanup(reap)
        return p

    def test_runs_target_with_args_and_kwargs(self):
        q = self.closing(mproc.Queue())
        p = self.process(target=put_identity, args=(q, [1, "two"]), kwargs={"key": 3},
                         name="worker-a")
        self.assertIsNone(p.pid)
        self.assertIsNone(p.exitcode)
        p.start()
        name, pid, daemon, extra, key, parent = q.get(timeout=CHILD_TIMEOUT)
        p.join(CHILD_TIMEOUT)
        self.assertEqual((name, pid, daemon, extra, key), ("worker-a", p.pid, False,
                                                            [1, "two"], 3))
        self.assertEqual(parent, os.getpid())
        self.assertEqual(p.exitcode, 0)
        self.assertFalse(p.is_alive())

    def test_default_names_count_up(self):
        a, b = mproc.Process(), mproc.Process()
        self.assertRegex(a.name, r"^Process-\d+$")
        self.assertNotEqual(a.name, b.name)
        self.assertEqual(mproc.current_process().name, "MainProcess")

    def test_exit_codes_follow_multiprocessing(self):
        for kwargs, want in (({"target": exit_with, "args": (3,)}, 3),
                             ({"target": exit_with, "args": (None,)}, 0),
                             ({"target": raise_error}, 1)):
            p = self.process(**kwargs)
            p.start()
            p.join(CHILD_TIMEOUT)
            self.assertEqual(p.exitcode, want, kwargs)

    def test_terminate_kill_and_join_timeout(self):
        event = self.closing(mproc.Event())
        for stop, sig in (("terminate", signal.SIGTERM), ("kill", signal.SIGKILL)):
            p = self.process(target=wait_on, args=(event,))
            p.start()
            p.join(0.05)
            self.assertTrue(p.is_alive())
            self.assertIsNone(p.exitcode)
            self.assertIn(p, mproc.active_children())
            getattr(p, stop)()
            p.join(CHILD_TIMEOUT)
            self.assertEqual(p.exitcode, -sig)
            self.assertNotIn(p, mproc.active_children())

    def test_sentinel_becomes_ready_when_the_child_ends(self):
        event = self.closing(mproc.Event())
        p = self.process(target=wait_on, args=(event,))
        p.start()
        self.assertEqual(multiprocessing.connection.wait([p.sentinel], 0), [])
        event.set()
        self.assertEqual(multiprocessing.connection.wait([p.sentinel], CHILD_TIMEOUT),
                         [p.sentinel])
        p.join(CHILD_TIMEOUT)
        self.assertEqual(p.exitcode, 0)

    def test_multiprocessing_attributes(self):
        # As multiprocessing: the sentinel of a process not started is a
        # ValueError; the child's authkey is the parent's; the parent
        # drops its references to the target and its arguments at start.
        q = self.closing(mproc.Queue())
        target = _Callable()
        alive = weakref.ref(target)
        p = self.process(target=target, args=(q, target))
        self.assertRaises(ValueError, getattr, p, "sentinel")
        self.assertEqual(p.authkey, mproc.current_authkey())
        self.assertEqual(mproc.current_process().authkey, mproc.current_authkey())
        self.assertIsNone(mproc.current_process().exitcode)
        del target
        p.start()
        gc.collect()
        self.assertIsNone(alive())
        self.assertEqual(q.get(timeout=CHILD_TIMEOUT), mproc.current_authkey())
        p.join(CHILD_TIMEOUT)
        self.assertEqual(p.exitcode, 0)

    def test_state_errors(self):
        p = self.process(target=exit_with, args=(0,))
        with self.assertRaises(AssertionError):
            p.join()
        p.start()
        with self.assertRaises(AssertionError):
            p.start()
        p.join(CHILD_TIMEOUT)
        p.close()
        with self.assertRaises(ValueError):
            p.is_alive()

    def test_daemon_flag_reaches_the_child(self):
        q = self.closing(mproc.Queue())
        p = self.process(target=put_identity, args=(q, None), kwargs={"key": 0}, daemon=True)
        p.start()
        self.assertTrue(q.get(timeout=CHILD_TIMEOUT)[2])
        p.join(CHILD_TIMEOUT)

    def test_children_start_children(self):
        q = self.closing(mproc.Queue())
        p = self.process(target=start_grandchild, args=(q,))
        p.start()
        name, pid, _, extra, _, parent = q.get(timeout=CHILD_TIMEOUT)
        self.assertEqual((extra, parent), ("grandchild", p.pid))
        self.assertEqual(q.get(timeout=CHILD_TIMEOUT), 0)
        p.join(CHILD_TIMEOUT)
        self.assertEqual(p.exitcode, 0)

    def test_anonymous_objects_travel_as_arguments(self):
        value = mproc.Value("i", 5)
        array = mproc.Array("d", [1.0, 2.5])
        lock = self.closing(mproc.Lock())
        self.addCleanup(value.close)
        self.addCleanup(array.close)
        children = [self.process(target=add_under_lock, args=(value, array, lock, 50))
                    for _ in range(2)]
        for p in children:
            p.start()
        for p in children:
            p.join(CHILD_TIMEOUT)
            self.assertEqual(p.exitcode, 0)
        self.assertEqual(value.value, 105)
        self.assertEqual(list(array), [4.0, 10.0])

    def test_a_condition_travels_as_an_argument(self):
        # Over its own RLock and over a Lock: the child takes the lock and
        # notifies the waiter in this process.
        for lock in (None, self.closing(mproc.Lock())):
            with self.subTest(lock=type(lock).__name__):
                cond = self.closing(mproc.Condition(lock))
                value = mproc.RawValue("i", 0)
                self.addCleanup(value.close)
                p = self.process(target=notify_under, args=(cond, value))
                with cond:
                    p.start()
                    self.assertTrue(cond.wait_for(lambda: value.value == 1, CHILD_TIMEOUT))
                p.join(CHILD_TIMEOUT)
                self.assertEqual(p.exitcode, 0)

    def test_value_and_array_in_this_process(self):
        v = mproc.Value("d", 1.5)
        a = mproc.Array("c", b"hi\0")
        raw = mproc.RawValue("i", 2)
        for obj in (v, a, raw):
            self.addCleanup(obj.close)
        self.assertEqual(v.value, 1.5)
        self.assertEqual(a.value, b"hi")
        self.assertEqual(len(a), 3)
        with v:
            v.value = 2.0
        self.assertEqual(v.get_obj().value, 2.0)
        self.assertEqual(raw.value, 2)
        with self.assertRaises(AttributeError):
            raw.get_lock()
        with self.assertRaises(ValueError):
            mproc.Value("not a typecode")
        # As multiprocessing: lock=None makes a lock too; a lock must be one.
        none = mproc.Value("i", 1, lock=None)
        self.addCleanup(none.close)
        self.assertIsInstance(none.get_lock(), mproc.RLock)
        self.assertRaises(AttributeError, mproc.Value, "i", 1, lock="not a lock")
        self.assertRaises(AttributeError, mproc.Array, "i", 2, lock=3)

    def test_functions_of_the_main_script(self):
        script = textwrap.dedent("""
            import mproc

            def greet(q, who):
                q.put("hello " + who + " from " + __name__)

            print("module level runs as", __name__)
            if __name__ == "__main__":
                q = mproc.Queue()
                p = mproc.Process(target=greet, args=(q, "main"))
                p.start()
                print(q.get(timeout=60))
                p.join(60)
                print("exit", p.exitcode)
        """)
        path = os.path.join(self.tmpdir(), "script.py")
        with open(path, "w") as f:
            f.write(script)
        out = subprocess.run([sys.executable, path], env=child_env(), capture_output=True,
                             text=True, timeout=CHILD_TIMEOUT)
        # The child runs the script again as __mp_main__, its main block
        # left out (as multiprocessing's spawn does); its own output comes
        # when it flushes at its end.
        self.assertEqual(sorted(out.stdout.splitlines()), [
            "exit 0", "hello main from __mp_main__", "module level runs as __main__",
            "module level runs as __mp_main__"], out.stderr)

    def tmpdir(self):
        import tempfile
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        return d.name


if __name__ == "__main__":
    unittest.main()
