"""mproc.Pool: Python callables on the library's native pool, and the
failures multiprocessing.Pool hangs on (a worker that dies, a task over
its time) failing exactly the affected task."""
import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
import threading
import time
import unittest
import warnings

import mproc

from .support import CHILD_TIMEOUT, TestCase

_state = {}


def square(x):
    return x * x


def add(a, b=0):
    return a + b


def fail(message):
    raise KeyError(message)


def exit_now(code):
    os._exit(code)


def exit_or_square(x):
    if x == 3:
        os._exit(3)
    return x * x


def segfault():
    ctypes.string_at(0)


def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)


def report_and_sleep(queue_name, seconds):
    with mproc.Queue.open(queue_name) as q:
        q.put(os.getpid())
    time.sleep(seconds)
    return "slept"


def remember(value):
    _state["init"] = value


def recall():
    return _state.get("init"), os.getpid()


def init_fails():
    raise RuntimeError("initializer refuses")


def unpicklable_result():
    return threading.Lock()


def pid_of_worker(_):
    return os.getpid()


class PoolTest(TestCase):
    def pool(self, *args, **kwargs):
        pool = mproc.Pool(*args, **kwargs)

        def stop():
            pool.terminate()
            pool.join(CHILD_TIMEOUT)
        self.addCleanup(stop)
        return pool

    def test_apply_map_imap_starmap(self):
        pool = self.pool(2)
        self.assertEqual(pool.apply(add, (2,), {"b": 3}), 5)
        self.assertEqual(pool.apply_async(square, (7,)).get(CHILD_TIMEOUT), 49)
        self.assertEqual(pool.map(square, range(20)), [x * x for x in range(20)])
        self.assertEqual(pool.map(square, []), [])
        self.assertEqual(pool.starmap(add, [(1, 2), (3, 4)]), [3, 7])
        self.assertEqual(list(pool.imap(square, range(10), chunksize=3)),
                         [x * x for x in range(10)])
        self.assertEqual(sorted(pool.imap_unordered(square, range(10))),
                         [x * x for x in range(10)])
        self.assertEqual(pool.map_async(square, [1, 2]).get(CHILD_TIMEOUT), [1, 4])

    def test_a_running_pool_dropped_warns(self):
        # As multiprocessing: ResourceWarning for a pool garbage-collected
        # while running; none once it was terminated (or closed).
        pool = mproc.Pool(1)
        with self.assertWarnsRegex(ResourceWarning, "unclosed running multiprocessing pool"):
            del pool
            gc.collect()
        pool = mproc.Pool(1)
        pool.terminate()
        pool.join(CHILD_TIMEOUT)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            del pool
            gc.collect()

    def test_map_async_callbacks_run_before_wait_returns(self):
        # As multiprocessing: the callback has run once wait() returns,
        # whether or not get() is ever called.
        pool = self.pool(2)
        calls = []
        pool.map_async(square, range(6), 2, callback=calls.append,
                       error_callback=calls.append).wait(CHILD_TIMEOUT)
        self.assertEqual(calls, [[x * x for x in range(6)]])
        result = pool.starmap_async(add, [(1, 2), ("a", 1)], 1, callback=calls.append,
                                    error_callback=calls.append)
        result.wait(CHILD_TIMEOUT)
        self.assertEqual(len(calls), 2)
        self.assertIsInstance(calls[1], TypeError)
        self.assertTrue(result.ready())
        self.assertFalse(result.successful())
        self.assertRaises(TypeError, result.get, 0)
        self.assertEqual(len(calls), 2)            # reported once
        pool.map_async(square, [], callback=calls.append).wait(CHILD_TIMEOUT)
        self.assertEqual(calls[2], [])

    def test_an_exception_comes_back_with_its_remote_traceback(self):
        pool = self.pool(1)
        with self.assertRaises(KeyError) as caught:
            pool.apply(fail, ("nope",))
        self.assertIsInstance(caught.exception.__cause__, mproc.RemoteTraceback)
        # multiprocessing's own class, as code written for it checks for.
        self.assertIs(type(caught.exception.__cause__), multiprocessing.pool.RemoteTraceback)
        self.assertIn("raise KeyError", str(caught.exception.__cause__))
        with self.assertRaises(KeyError):
            pool.map(fail, ["x"])
        r = pool.apply_async(unpicklable_result)
        with self.assertRaises(mproc.MaybeEncodingError):
            r.get(CHILD_TIMEOUT)
        self.assertFalse(r.successful())

    def test_callbacks(self):
        pool = self.pool(1)
        got = []
        done = threading.Event()

        def on_error(exc):
            got.append(type(exc))
            done.set()
        r = pool.apply_async(square, (3,), callback=got.append)
        self.assertEqual(r.get(CHILD_TIMEOUT), 9)
        pool.apply_async(fail, ("x",), error_callback=on_error)
        self.assertTrue(done.wait(CHILD_TIMEOUT))
        self.assertEqual(got, [9, KeyError])

    def named_queue(self):
        """A named queue (pool tasks take it by name, to report to the
        test), removed at the end."""
        name = self.unique_name()
        q = self.closing(mproc.Queue(name=name))
        self.addCleanup(q.unlink)
        return name, q

    def assert_pool_goes_on(self, pool):
        self.assertEqual(pool.map(square, range(8)), [x * x for x in range(8)])

    def test_a_worker_that_dies_fails_only_its_task(self):
        pool = self.pool(2)
        for fn, args, says in ((exit_now, (7,), "exit status 7"),
                               (segfault, (), "SIGSEGV"),
                               (kill_self, (), "SIGKILL")):
            others = [pool.apply_async(square, (i,)) for i in range(4)]
            with self.assertRaises(mproc.WorkerLostError) as caught:
                pool.apply(fn, args)
            self.assertIn(says, str(caught.exception))
            self.assertEqual([r.get(CHILD_TIMEOUT) for r in others], [0, 1, 4, 9])
            self.assert_pool_goes_on(pool)
        self.assertEqual(len(pool._pids), 2)

    def test_imap_goes_on_past_a_failed_item(self):
        # As multiprocessing's IMapIterator: the failing item raises from
        # next(), and the items after it still come.
        pool = self.pool(2)
        for imap in (pool.imap, pool.imap_unordered):
            items = iter(imap(exit_or_square, range(8)))
            got, failures = [], []
            for _ in range(8):
                try:
                    got.append(next(items))
                except mproc.WorkerLostError as exc:
                    failures.append(exc)
            with self.assertRaises(StopIteration):
                next(items)
            self.assertEqual(sorted(got), [x * x for x in range(8) if x != 3])
            self.assertEqual(len(failures), 1)
            self.assertIn("exit status 3", str(failures[0]))
        self.assert_pool_goes_on(pool)

    def test_a_worker_killed_from_outside_fails_only_its_task(self):
        pool = self.pool(2)
        name, q = self.named_queue()
        r = pool.apply_async(report_and_sleep, (name, 60))
        pid = q.get(timeout=CHILD_TIMEOUT)
        os.kill(pid, signal.SIGKILL)
        with self.assertRaises(mproc.WorkerLostError):
            r.get(CHILD_TIMEOUT)
        self.assert_pool_goes_on(pool)
        self.assertNotIn(pid, pool._pids)

    def test_a_task_over_its_timeout_is_stopped_and_its_worker_replaced(self):
        pool = self.pool(1)
        name, q = self.named_queue()
        r = pool.apply_async(report_and_sleep, (name, 60), timeout=0.2)
        pid = q.get(timeout=CHILD_TIMEOUT)
        with self.assertRaises(mproc.TaskTimeoutError):
            r.get(CHILD_TIMEOUT)
        self.assertNotIn(pid, pool._pids)
        self.assert_pool_goes_on(pool)
        # A task within its time is not affected.
        self.assertEqual(pool.apply(square, (5,), timeout=30), 25)

    def test_get_timeout_is_multiprocessing_timeout_error(self):
        pool = self.pool(1)
        name, q = self.named_queue()
        r = pool.apply_async(report_and_sleep, (name, 0.5))
        with self.assertRaises(multiprocessing.TimeoutError):
            r.get(0.01)
        self.assertFalse(r.ready())
        self.assertEqual(r.get(CHILD_TIMEOUT), "slept")
        self.assertTrue(r.ready())
        self.assertTrue(r.successful())

    def test_results_waited_for_in_several_threads(self):
        # Outcomes are taken from the pool's one completion queue by one
        # thread at a time: the others' results must reach them, and a
        # timed wait must end while another thread is taking.
        pool = self.pool(2)
        name, q = self.named_queue()
        slow = pool.apply_async(report_and_sleep, (name, 1.0))
        q.get(timeout=CHILD_TIMEOUT)
        got = {}

        def wait_slow():
            got["slow"] = slow.get(CHILD_TIMEOUT)
        taker = threading.Thread(target=wait_slow)
        taker.start()
        fast = [pool.apply_async(square, (i,)) for i in range(50)]
        waiters = [threading.Thread(target=lambda r=r, i=i: got.__setitem__(i, r.get(CHILD_TIMEOUT)))
                   for i, r in enumerate(fast)]
        for w in waiters:
            w.start()
        with self.assertRaises(multiprocessing.TimeoutError):
            slow.get(0.05)
        for w in waiters:
            w.join(CHILD_TIMEOUT)
        self.assertEqual([got[i] for i in range(50)], [i * i for i in range(50)])
        taker.join(CHILD_TIMEOUT)
        self.assertEqual(got["slow"], "slept")

    def test_results_never_asked_for_do_not_pile_up(self):
        # Results dropped unread: their outcomes are taken as later tasks
        # are submitted (at every 1024th, without waiting), not kept for
        # ever.
        from mproc import pool as pool_module
        pool = self.pool(2)
        drains = []
        real = pool._await

        def counting(result, ms):
            if result is None:
                drains.append(ms)
            return real(result, ms)
        pool._await = counting
        every = pool_module._DRAIN_EVERY + 1
        for i in range(2 * every):
            pool.apply_async(square, (i,))
        self.assertEqual(drains, [0, 0])
        pool.close()
        pool.join(CHILD_TIMEOUT)
        self.assertFalse(real(None, 0))
        self.assertEqual(pool._waiting, {})

    def test_initializer_and_maxtasksperchild(self):
        pool = self.pool(2, initializer=remember, initargs=("ready",), maxtasksperchild=1)
        outcomes = [pool.apply(recall) for _ in range(4)]
        self.assertEqual({o[0] for o in outcomes}, {"ready"})
        # One task per worker: every task ran in a new worker.
        self.assertEqual(len({o[1] for o in outcomes}), 4)

    def test_a_failing_initializer_breaks_the_pool(self):
        # Where multiprocessing.Pool starts failing workers for ever.
        pool = self.pool(1, initializer=init_fails)
        with self.assertRaises(mproc.PoolBrokenError) as caught:
            pool.apply(square, (1,))
        self.assertIn("initializer", str(caught.exception))
        with self.assertRaises(mproc.PoolBrokenError):
            pool.apply(square, (1,))

    def test_close_join_terminate(self):
        pool = mproc.Pool(2)
        results = [pool.apply_async(square, (i,)) for i in range(6)]
        pool.close()
        with self.assertRaises(ValueError):
            pool.apply_async(square, (1,))
        pool.join(CHILD_TIMEOUT)
        self.assertEqual([r.get(0) for r in results], [i * i for i in range(6)])
        with self.pool(1) as pool:
            name, q = self.named_queue()
            r = pool.apply_async(report_and_sleep, (name, 60))
            q.get(timeout=CHILD_TIMEOUT)
        # Leaving the block terminated the pool: the task fails, fast.
        with self.assertRaises(mproc.ClosedError):
            r.get(CHILD_TIMEOUT)
        with self.assertRaises(ValueError):
            mproc.Pool(1).join()

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            mproc.Pool(0)
        with self.assertRaises(TypeError):
            mproc.Pool(1, initializer=5)

    def test_a_task_done_just_as_a_wait_slice_ends_is_not_a_timeout(self):
        # get() waits in slices; a task that finishes between a slice's
        # ETIMEDOUT and the look at whether it is done must give its
        # result, not TaskTimeoutError. The native calls are stood in for
        # to make that moment certain.
        import pickle
        from unittest import mock
        from mproc import pool as pool_module

        output = b"\x00" + pickle.dumps("done")
        buffer = ctypes.create_string_buffer(output, len(output))
        calls = []

        def result_view(future, data, size, ms):
            calls.append(ms)
            if len(calls) == 1:
                return mproc._errors.ETIMEDOUT
            data._obj.value = ctypes.addressof(buffer)
            size._obj.value = len(output)
            return 0

        class Lib:
            def mproc_future_ready(self, future, out):
                out._obj.value = 1
                return 0
        with mock.patch.object(pool_module, "lib", Lib()), \
                mock.patch.object(pool_module, "_result_view", result_view):
            self.assertEqual(pool_module._outcome_of(1234, 100), (True, "done"))
        self.assertEqual(calls, [100, 0])

    def test_cpu_count(self):
        self.assertGreaterEqual(mproc.cpu_count(), 1)


if __name__ == "__main__":
    unittest.main()
