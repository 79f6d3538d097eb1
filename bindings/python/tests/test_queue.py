import os
import pickle
import queue
import signal
import sys
import threading

import mproc

from .support import TestCase, child_env, spawn


def echo_child(requests_name, replies_name):
    """Opens both queues by name; answers each request until None."""
    with mproc.Queue.open(requests_name) as requests, \
            mproc.Queue.open(replies_name) as replies:
        while True:
            item = requests.get(timeout=30)
            if item is None:
                break
            replies.put({"pid_seen": item["n"] * 2, "text": item["text"].upper()})
        replies.put_bytes(b"raw goodbye")


def worker_child(name, count):
    """Takes `count` items from a JoinableQueue and marks each done."""
    with mproc.JoinableQueue.open(name) as q:
        for _ in range(count):
            q.get(timeout=30)
            q.task_done()


def outcome_of(call):
    try:
        return call()
    except Exception as exc:
        return exc


def inherited_child(q, count):
    # Under fork the anonymous queue arrives by inheritance, not pickling.
    for i in range(count):
        q.put(i)


class QueueBasics(TestCase):
    def test_fifo_of_objects(self):
        q = self.closing(mproc.Queue())
        items = [1, "two", {"three": [3]}, None, b"five", (6.0,)]
        for item in items:
            q.put(item)
        self.assertEqual(q.qsize(), len(items))
        self.assertEqual([q.get() for _ in items], items)
        self.assertTrue(q.empty())

    def test_empty_after_timeout(self):
        q = self.closing(mproc.Queue())
        with self.assertTakes(0.3):
            with self.assertRaises(queue.Empty) as caught:
                q.get(timeout=0.3)
        self.assertIsInstance(caught.exception, mproc.MprocError)
        self.assertEqual(caught.exception.name, "EEMPTY")
        with self.assertTakes(0.0, 0.5):
            self.assertRaises(queue.Empty, q.get_nowait)
            self.assertRaises(queue.Empty, q.get, False, 5)

    def test_full_with_maxsize(self):
        q = self.closing(mproc.Queue(2))
        q.put(1)
        q.put_nowait(2)
        self.assertTrue(q.full())
        self.assertEqual(q.maxsize, 2)
        self.assertRaises(queue.Full, q.put_nowait, 3)
        with self.assertTakes(0.25):
            with self.assertRaises(queue.Full) as caught:
                q.put(3, timeout=0.25)
        self.assertEqual(caught.exception.code, -3002)
        self.assertEqual(q.get(), 1)
        q.put(3, timeout=1)
        self.assertEqual([q.get(), q.get()], [2, 3])

    def test_negative_maxsize_means_unbounded(self):
        q = self.closing(mproc.Queue(-5))
        self.assertEqual(q.maxsize, 0)
        for i in range(100):
            q.put_nowait(i)
        self.assertFalse(q.full())

    def test_blocked_get_wakes_for_a_put_from_another_thread(self):
        q = self.closing(mproc.Queue())
        putter = threading.Thread(target=q.put, args=("late",))
        putter.start()
        self.assertEqual(q.get(timeout=10), "late")
        putter.join()

    def test_raw_mode_and_bytes_calls(self):
        q = self.closing(mproc.Queue(raw=True))
        self.assertTrue(q.raw)
        q.put(b"abc")
        q.put(bytearray(b"def"))
        q.put(memoryview(b"xghi")[1:])
        q.put(b"")
        self.assertEqual([q.get() for _ in range(4)], [b"abc", b"def", b"ghi", b""])
        self.assertRaises(TypeError, q.put, "a str is not bytes")
        self.assertRaises(TypeError, q.put, 42)
        pickled = self.closing(mproc.Queue())
        pickled.put_bytes(b"\x00raw")
        self.assertEqual(pickled.get_bytes(), b"\x00raw")
        pickled.put([1, 2])
        self.assertEqual(pickle.loads(pickled.get_bytes()), [1, 2])

    def test_large_messages_take_the_slow_path(self):
        q = self.closing(mproc.Queue(raw=True))
        big = bytes(range(256)) * 1024
        q.put(big)
        q.put(b"small")
        self.assertEqual(q.get(), big)
        self.assertEqual(q.get(), b"small")

    def test_message_over_the_limit_is_a_value_error(self):
        q = self.closing(mproc.Queue(capacity=4096, raw=True))
        self.assertEqual(q.capacity, 4096)
        limit = q.max_message
        self.assertTrue(1024 < limit <= 2048, limit)
        q.put(b"x" * limit)
        with self.assertRaises(ValueError) as caught:
            q.put(b"x" * (limit + 1))
        self.assertEqual(caught.exception.name, "ETOOBIG")
        self.assertIn(str(limit), str(caught.exception))

    def test_bad_arguments(self):
        self.assertRaises(TypeError, mproc.Queue, "10")
        self.assertRaises(TypeError, mproc.Queue, 1.5)
        self.assertRaises(ValueError, mproc.Queue, capacity=0)
        self.assertRaises(ValueError, mproc.Queue, capacity=-1)
        self.assertRaises(ValueError, mproc.Queue, capacity=2 ** 41)
        self.assertRaises(ValueError, mproc.Queue, name="no/slashes")
        self.assertRaises(ValueError, mproc.Queue, name="")
        self.assertRaises(TypeError, mproc.Queue, name=5)
        q = self.closing(mproc.Queue())
        self.assertRaises(ValueError, q.put, 1, True, float("nan"))
        self.assertRaises(ValueError, q.get, True, float("nan"))
        self.assertRaises(TypeError, q.get, True, "1")

    def test_refuses_pickling(self):
        q = self.closing(mproc.Queue())
        with self.assertRaises(TypeError) as caught:
            pickle.dumps(q)
        self.assertIn("named=True", str(caught.exception))
        child = spawn().Process(target=inherited_child, args=(q, 1))
        self.assertRaises(TypeError, child.start)


class QueueClosing(TestCase):
    def test_use_after_close_raises_closed_error(self):
        q = mproc.Queue()
        q.put(1)
        q.close()
        q.close()
        self.assertTrue(q.closed)
        for call in (lambda: q.put(2), q.get, q.qsize, q.empty, q.shutdown):
            with self.assertRaises(mproc.ClosedError) as caught:
                call()
            self.assertIsInstance(caught.exception, ValueError)
            self.assertEqual(caught.exception.name, "ECLOSED")

    def test_close_wakes_a_get_blocked_in_another_thread(self):
        q = mproc.Queue()
        errors = []

        def consumer():
            try:
                q.get()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=consumer)
        thread.start()
        q.close()
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], mproc.ClosedError)

    def test_shutdown_drains_then_refuses(self):
        q = self.closing(mproc.Queue())
        other = self.closing(mproc.Queue())
        q.put("left")
        self.assertFalse(q.is_shutdown)
        q.shutdown()
        self.assertTrue(q.is_shutdown)
        self.assertRaises(mproc.ClosedError, q.put, "more")
        self.assertEqual(q.get(), "left")
        with self.assertTakes(0.0, 1.0):
            self.assertRaises(mproc.ClosedError, q.get, True, 10)
        other.put("unaffected")
        self.assertEqual(other.get(), "unaffected")

    def test_shutdown_wakes_a_blocked_get(self):
        q = self.closing(mproc.Queue())
        result = []
        thread = threading.Thread(
            target=lambda: result.append(outcome_of(q.get)))
        thread.start()
        q.shutdown()
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(result[0], mproc.ClosedError)

    def test_concurrent_close_never_crashes(self):
        # Threads hammer one handle while it is closed under them: every
        # call either works or raises ClosedError, and the handle is freed
        # once, after the last call.
        for _ in range(20):
            q = mproc.Queue(raw=True)
            unexpected = []
            start = threading.Barrier(5)

            def hammer():
                start.wait()
                try:
                    while True:
                        q.put(b"x")
                        try:
                            q.get_nowait()
                        except queue.Empty:
                            pass
                        q.qsize()
                except mproc.ClosedError:
                    return
                except BaseException as exc:
                    unexpected.append(exc)

            threads = [threading.Thread(target=hammer) for _ in range(4)]
            for t in threads:
                t.start()
            start.wait()
            q.close()
            for t in threads:
                t.join(10)
            self.assertEqual(unexpected, [])
            self.assertFalse(any(t.is_alive() for t in threads))
            self.assertEqual(q._box, [])


class JoinableQueueTests(TestCase):
    def test_task_done_too_many_times(self):
        q = self.closing(mproc.JoinableQueue())
        q.put(1)
        q.get()
        q.task_done()
        with self.assertRaises(ValueError) as caught:
            q.task_done()
        self.assertEqual(caught.exception.name, "ESTATE")

    def test_join_times_out_then_completes(self):
        q = self.closing(mproc.JoinableQueue())
        self.assertTrue(q.join(timeout=0))
        q.put("job")
        with self.assertTakes(0.2):
            self.assertFalse(q.join(timeout=0.2))

        def worker():
            q.get()
            q.task_done()

        thread = threading.Thread(target=worker)
        thread.start()
        self.assertTrue(q.join(timeout=10))
        thread.join()


class NamedQueues(TestCase):
    def test_open_by_name_in_the_same_process(self):
        name = self.unique_name()
        q = self.closing(mproc.Queue(name=name))
        self.assertEqual(q.name, name)
        other = self.closing(mproc.Queue.open(name))
        other.put({"via": "name"})
        self.assertEqual(q.get(timeout=5), {"via": "name"})
        raw = self.closing(mproc.Queue.open(name, raw=True))
        raw.put(b"bytes")
        self.assertEqual(q.get_bytes(), b"bytes")
        q.unlink()
        self.assertRaises(FileNotFoundError, mproc.Queue.open, name)
        self.assertRaises(FileNotFoundError, mproc.unlink, name)

    def test_generated_names_and_anonymous(self):
        q = self.closing(mproc.Queue(named=True))
        self.track(q.name)
        self.assertTrue(q.name.startswith("mproc-"))
        q.unlink()
        anonymous = self.closing(mproc.Queue())
        self.assertIsNone(anonymous.name)
        self.assertRaises(ValueError, anonymous.unlink)

    def test_taken_name_and_wrong_kind(self):
        name = self.unique_name()
        lock = self.closing(mproc.Lock(name=name))
        self.addCleanup(lock.unlink)
        self.assertRaises(FileExistsError, mproc.Queue, name=name)
        with self.assertRaises(TypeError) as caught:
            mproc.Queue.open(name)
        self.assertEqual(caught.exception.name, "ETYPE")
        self.assertRaises(FileNotFoundError, mproc.Queue.open, name + "-none")


class QueueAcrossProcesses(TestCase):
    def test_two_python_processes_exchange_messages(self):
        requests = self.closing(mproc.Queue(name=self.unique_name()))
        replies = self.closing(mproc.Queue(name=self.unique_name()))
        self.addCleanup(requests.unlink)
        self.addCleanup(replies.unlink)
        child = self.start_child(echo_child, requests.name, replies.name)
        count = 500
        for n in range(count):
            requests.put({"n": n, "text": f"message {n}"})
        requests.put(None)
        for n in range(count):
            self.assertEqual(replies.get(timeout=30),
                             {"pid_seen": n * 2, "text": f"MESSAGE {n}"})
        self.assertEqual(replies.get_bytes(timeout=30), b"raw goodbye")
        self.assertEqual(self.join_child(child), 0)
        self.assertTrue(replies.empty())

    def test_joinable_queue_done_in_another_process(self):
        q = self.closing(mproc.JoinableQueue(name=self.unique_name()))
        self.addCleanup(q.unlink)
        for i in range(50):
            q.put(i)
        child = self.start_child(worker_child, q.name, 50)
        self.assertTrue(q.join(timeout=60))
        self.assertEqual(self.join_child(child), 0)
        self.assertRaises(ValueError, q.task_done)

    def test_anonymous_queue_is_inherited_under_fork(self):
        q = self.closing(mproc.Queue())
        import multiprocessing
        code = self.run_child(inherited_child, q, 20,
                              ctx=multiprocessing.get_context("fork"))
        self.assertEqual(code, 0)
        self.assertEqual([q.get(timeout=5) for _ in range(20)], list(range(20)))


BLOCKED_GET = """
import sys
import mproc
q = mproc.Queue()
try:
    print("ready", flush=True)
    q.get()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(0)
"""


class QueueInterrupts(TestCase):
    def test_ctrl_c_reaches_a_blocked_get(self):
        cmd = self.command([sys.executable, "-c", BLOCKED_GET], stdout=mproc.PIPE,
                           env=child_env())
        self.assertEqual(read_line(cmd), b"ready\n")
        os.kill(cmd.pid, signal.SIGINT)
        self.assertEqual(cmd.wait(timeout=10), 0)
        self.assertEqual(read_line(cmd), b"interrupted\n")


def read_line(cmd):
    line = b""
    while not line.endswith(b"\n"):
        chunk = cmd.read(timeout=30)
        if not chunk:
            break
        line += chunk
    return line
