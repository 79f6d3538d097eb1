"""Negative timeouts, as multiprocessing treats them (issue 21, item 3):
one attempt at once, as for a zero timeout -- never a ValueError, and never
"for ever" as threading.Lock's -1. Each case runs the multiprocessing (or
subprocess) call beside the mproc one and compares what they do."""
import multiprocessing
import queue
import subprocess
import threading
import time

import mproc

from .support import SLACK, TestCase, spawn

NEGATIVE = (-1, -0.001, -1e9, float("-inf"))
# A call that waited instead of returning at once is rescued after this
# long, so that it fails the timing check instead of hanging the suite.
RESCUE_AFTER = 3 * SLACK


def outcome(call):
    """("returned", value) or ("raised", the Python exception class that
    multiprocessing code would catch)."""
    try:
        return ("returned", call())
    except (queue.Empty, queue.Full, threading.BrokenBarrierError,
            subprocess.TimeoutExpired) as exc:
        for cls in (queue.Empty, queue.Full, threading.BrokenBarrierError,
                    subprocess.TimeoutExpired):
            if isinstance(exc, cls):
                return ("raised", cls)
        raise


class Holder(threading.Thread):
    """Holds locks in another thread until released (or RESCUE_AFTER)."""

    def __init__(self, *locks):
        super().__init__()
        self.locks = locks
        self.holding = threading.Event()
        self.done = threading.Event()

    def run(self):
        for lock in self.locks:
            lock.acquire()
        self.holding.set()
        self.done.wait(RESCUE_AFTER)
        for lock in self.locks:
            lock.release()

    def __enter__(self):
        self.start()
        self.holding.wait()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.join()


class NegativeTimeouts(TestCase):
    def rescue(self, action):
        """Runs `action` after RESCUE_AFTER unless the test ended first
        (errors ignored: the object may be one of an earlier subtest)."""
        def run():
            try:
                action()
            except Exception:
                pass
        timer = threading.Timer(RESCUE_AFTER, run)
        timer.start()
        self.addCleanup(timer.join)
        self.addCleanup(timer.cancel)

    def same(self, python_call, mproc_call, expected):
        """Both calls return at once with the same outcome, `expected`."""
        with self.assertTakes(0, SLACK):
            theirs = outcome(python_call)
        with self.assertTakes(0, SLACK):
            ours = outcome(mproc_call)
        self.assertEqual(theirs, expected)
        self.assertEqual(ours, expected)

    def test_queue_get(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Queue()
                self.addCleanup(theirs.close)
                ours = self.closing(mproc.Queue())
                self.rescue(lambda: ours.put("rescued"))
                self.same(lambda: theirs.get(True, t), lambda: ours.get(True, t),
                          ("raised", queue.Empty))
                self.same(lambda: theirs.get(timeout=t),
                          lambda: ours.get_bytes(timeout=t), ("raised", queue.Empty))
                theirs.put("item")
                ours.put("item")
                self.assertTrue(theirs._poll(10))      # past its feeder thread
                self.same(lambda: theirs.get(True, t), lambda: ours.get(True, t),
                          ("returned", "item"))

    def test_queue_put(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Queue(1)
                self.addCleanup(theirs.close)
                ours = self.closing(mproc.Queue(1))
                self.same(lambda: theirs.put(1, True, t), lambda: ours.put(1, True, t),
                          ("returned", None))
                self.rescue(lambda: ours.get(False))
                self.same(lambda: theirs.put(2, True, t), lambda: ours.put(2, True, t),
                          ("raised", queue.Full))
                self.same(lambda: theirs.put(2, timeout=t),
                          lambda: ours.put_bytes(b"2", timeout=t), ("raised", queue.Full))
                self.assertEqual(ours.get(False), 1)

    def test_connection_poll(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                a, b = multiprocessing.Pipe()
                self.addCleanup(a.close)
                self.addCleanup(b.close)
                c, d = mproc.Pipe()
                self.closing(c)
                self.closing(d)
                self.rescue(lambda: c.send("rescued"))
                self.same(lambda: b.poll(t), lambda: d.poll(t), ("returned", False))
                a.send(1)
                c.send(1)
                self.same(lambda: b.poll(t), lambda: d.poll(t), ("returned", True))

    def test_event_wait(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Event()
                ours = self.closing(mproc.Event())
                self.rescue(ours.set)
                self.same(lambda: theirs.wait(t), lambda: ours.wait(t), ("returned", False))
                theirs.set()
                ours.set()
                self.same(lambda: theirs.wait(t), lambda: ours.wait(t), ("returned", True))

    def test_lock_and_semaphore_acquire(self):
        kinds = ((multiprocessing.Lock, mproc.Lock), (multiprocessing.RLock, mproc.RLock),
                 (lambda: multiprocessing.Semaphore(1), lambda: mproc.Semaphore(1)),
                 (lambda: multiprocessing.BoundedSemaphore(1),
                  lambda: mproc.BoundedSemaphore(1)),
                 (multiprocessing.Condition, mproc.Condition))
        for make_theirs, make_ours in kinds:
            for t in NEGATIVE:
                theirs, ours = make_theirs(), self.closing(make_ours())
                with self.subTest(kind=type(ours).__name__, timeout=t):
                    # Held by another thread: one attempt, which fails. (In
                    # threading, -1 would wait for ever.)
                    with Holder(theirs, ours):
                        self.same(lambda: theirs.acquire(True, t),
                                  lambda: ours.acquire(True, t), ("returned", False))
                        self.same(lambda: theirs.acquire(timeout=t),
                                  lambda: ours.acquire(timeout=t), ("returned", False))
                    self.same(lambda: theirs.acquire(True, t),
                              lambda: ours.acquire(True, t), ("returned", True))
                    theirs.release()
                    ours.release()

    def test_semaphore_at_zero(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Semaphore(0)
                ours = self.closing(mproc.Semaphore(0))
                self.rescue(ours.release)
                self.same(lambda: theirs.acquire(True, t), lambda: ours.acquire(True, t),
                          ("returned", False))

    def test_condition_wait(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Condition()
                ours = self.closing(mproc.Condition())

                def notify_ours():
                    with ours:
                        ours.notify_all()
                self.rescue(notify_ours)
                with theirs, ours:
                    self.same(lambda: theirs.wait(t), lambda: ours.wait(t),
                              ("returned", False))
                    self.same(lambda: theirs.wait_for(lambda: False, t),
                              lambda: ours.wait_for(lambda: False, t),
                              ("returned", False))
                    self.same(lambda: theirs.wait_for(lambda: 7, t),
                              lambda: ours.wait_for(lambda: 7, t), ("returned", 7))
                # The lock came back after each wait: leaving the with
                # blocks released it (a RuntimeError otherwise).
                self.assertTrue(ours.acquire(False))
                ours.release()

    def test_barrier_wait(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = multiprocessing.Barrier(2)
                ours = self.closing(mproc.Barrier(2))
                self.rescue(ours.abort)
                self.same(lambda: theirs.wait(t), lambda: ours.wait(t),
                          ("raised", threading.BrokenBarrierError))
                self.assertTrue(theirs.broken)
                self.assertTrue(ours.broken)
                # The last party to arrive does not wait at all.
                self.same(lambda: multiprocessing.Barrier(1).wait(t),
                          lambda: self.closing(mproc.Barrier(1)).wait(t),
                          ("returned", 0))
                # As the barrier's default timeout too.
                theirs = multiprocessing.Barrier(2, timeout=t)
                ours = self.closing(mproc.Barrier(2, timeout=t))
                self.rescue(ours.abort)
                self.same(theirs.wait, ours.wait, ("raised", threading.BrokenBarrierError))

    def test_joinable_queue_join(self):
        # multiprocessing's join() has no timeout; mproc's answers at once,
        # as for 0.
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                q = self.closing(mproc.JoinableQueue())
                q.put(1)
                self.rescue(lambda: (q.get(False), q.task_done()))
                with self.assertTakes(0, SLACK):
                    self.assertFalse(q.join(t))
                q.get()
                q.task_done()
                with self.assertTakes(0, SLACK):
                    self.assertTrue(q.join(t))

    def test_process_join_and_command_join(self):
        theirs = spawn().Process(target=time.sleep, args=(60,))
        theirs.start()
        self.addCleanup(self._reap, theirs)
        ours = self.command(["sleep", "60"])
        self.rescue(ours.kill)
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                self.same(lambda: theirs.join(t), lambda: ours.join(t), ("returned", None))
                self.assertTrue(theirs.is_alive())
                self.assertTrue(ours.is_alive())

    def test_command_wait_read_write_and_run(self):
        for t in NEGATIVE:
            with self.subTest(timeout=t):
                theirs = subprocess.Popen(["sleep", "60"])
                self.addCleanup(theirs.wait)
                self.addCleanup(theirs.kill)
                ours = self.command(["cat"], stdin=mproc.PIPE, stdout=mproc.PIPE)
                self.rescue(ours.kill)
                self.same(lambda: theirs.wait(t), lambda: ours.wait(t),
                          ("raised", subprocess.TimeoutExpired))
                with self.assertTakes(0, SLACK):
                    self.assertRaises(TimeoutError, ours.read, timeout=t)
                with self.assertTakes(0, SLACK):
                    self.assertEqual(ours.write(b"x", timeout=t), 1)
                self.same(lambda: subprocess.run(["sleep", "60"], capture_output=True,
                                                 timeout=t),
                          lambda: mproc.run(["sleep", "60"], timeout=t),
                          ("raised", subprocess.TimeoutExpired))

    def test_nan_and_non_numbers_stay_errors(self):
        q = self.closing(mproc.Queue())
        event = self.closing(mproc.Event())
        for call in (lambda t: q.get(True, t), lambda t: event.wait(t),
                     lambda t: mproc.Barrier(2, timeout=t)):
            self.assertRaises(ValueError, call, float("nan"))
            self.assertRaises(TypeError, call, "1")
