"""Objects that hold descriptors or mproc handles, sent through Queue.put,
Connection.send or as a spawned process's argument (issue 21, item 2):
they arrive working or are refused with a TypeError that says what to do,
and never reach the receiver as a bare descriptor number."""
import gc
import multiprocessing
import os
import pickle
import re
import socket

import mproc

from .support import CHILD_TIMEOUT, TestCase

START_METHODS = ("spawn", "forkserver", "fork")


def descriptors():
    """{descriptor: what it refers to} for this process."""
    found = {}
    for entry in os.listdir("/proc/self/fd"):
        try:
            found[int(entry)] = os.readlink(f"/proc/self/fd/{entry}")
        except FileNotFoundError:
            pass        # the listing's own descriptor, closed meanwhile
    return found


def damaged(before):
    """The descriptors of `before` that are now closed or refer elsewhere."""
    after = descriptors()
    return {fd: what for fd, what in before.items() if after.get(fd) != what}


def answer_and_drop(receive):
    """What a receiver does with a multiprocessing Connection that comes in
    a message: answers through it, then drops it. Returns the receiver's
    own descriptors that this damaged (a bare descriptor number would
    close one of them, or fail with EBADF)."""
    before = descriptors()
    received = receive()
    received.send(("hello from", os.getpid()))
    del received
    gc.collect()
    return damaged(before)


def receive_through_queue(requests_name, replies_name):
    with mproc.Queue.open(requests_name) as requests, \
            mproc.Queue.open(replies_name) as replies:
        replies.put(answer_and_drop(lambda: requests.get(timeout=CHILD_TIMEOUT)))


def receive_through_connection(conn):
    # Inherited under fork; the multiprocessing Pipe it receives was made
    # after the fork, so this process has no descriptor of it.
    conn.send(answer_and_drop(conn.recv))
    conn.close()


def echo_until_none(conn, replies):
    """Gets two mproc Connections from its parent (by spawn or forkserver):
    echoes on the first until None, then says on the second what it got."""
    while True:
        obj = conn.recv()
        if obj is None:
            break
        conn.send(("echo", obj))
    replies.send((os.getpid(), conn.readable, conn.writable,
                  replies.readable, replies.writable))
    conn.close()
    replies.close()


def set_and_put(event, q, lock):
    """Takes named mproc objects as arguments (pickled by name)."""
    with event, q:
        with lock:
            q.put((type(event).__name__, event.name, q.raw))
        event.set()


def handles(test):
    """One anonymous object of every mproc class, closed after the test."""
    lock = test.closing(mproc.Lock())
    objects = [lock, mproc.RLock(), mproc.Semaphore(1), mproc.BoundedSemaphore(1),
               mproc.Event(), mproc.Condition(), mproc.Condition(lock),
               mproc.Barrier(2), mproc.Queue(), mproc.JoinableQueue(),
               mproc.SharedMemory(size=8), mproc.Command(["true"])]
    for obj in objects[1:]:
        test.closing(obj)
    return objects


class MultiprocessingObjectsArriveWorking(TestCase):
    """multiprocessing's Connections and sockets are pickled with its
    reducers, as multiprocessing's own Queue and Connection do."""

    def carriers(self):
        a, b = mproc.Pipe()
        self.closing(a)
        self.closing(b)
        q = self.closing(mproc.Queue())
        return {"Connection": (a.send, b.recv), "Queue": (q.put, q.get)}

    def test_connection_in_the_same_process(self):
        for carrier, (send, recv) in self.carriers().items():
            with self.subTest(carrier=carrier):
                a, b = multiprocessing.Pipe()
                self.closing(a)
                self.closing(b)
                before = descriptors()
                send(a)
                copy = recv()
                self.assertIsInstance(copy, type(a))
                # Its own descriptor, not the number of the original.
                self.assertNotEqual(copy.fileno(), a.fileno())
                copy.send("through the copy")
                self.assertEqual(b.recv(), "through the copy")
                del copy
                gc.collect()
                a.send("through the original")
                self.assertEqual(b.recv(), "through the original")
                self.assertEqual(damaged(before), {})

    def test_socket_in_the_same_process(self):
        for carrier, (send, recv) in self.carriers().items():
            with self.subTest(carrier=carrier):
                left, right = socket.socketpair()
                self.closing(left)
                self.closing(right)
                send(left)
                with recv() as copy:
                    self.assertNotEqual(copy.fileno(), left.fileno())
                    copy.sendall(b"ping")
                self.assertEqual(right.recv(4), b"ping")
                left.sendall(b"pong")
                self.assertEqual(right.recv(4), b"pong")

    def test_connection_through_a_named_queue_to_another_process(self):
        for method in START_METHODS:
            with self.subTest(start_method=method):
                requests = self.closing(mproc.Queue(name=self.unique_name()))
                self.addCleanup(requests.unlink)
                replies = self.closing(mproc.Queue(name=self.unique_name()))
                self.addCleanup(replies.unlink)
                child = self.start_child(receive_through_queue, requests.name,
                                         replies.name,
                                         ctx=multiprocessing.get_context(method))
                mine, theirs = multiprocessing.Pipe()
                self.closing(mine)
                self.closing(theirs)
                requests.put(theirs)
                self.assertTrue(mine.poll(CHILD_TIMEOUT))
                self.assertEqual(mine.recv(), ("hello from", child.pid))
                self.assertEqual(replies.get(timeout=CHILD_TIMEOUT), {},
                                 "the receiver's own descriptors were damaged")
                self.assertEqual(self.join_child(child), 0)
                theirs.send("still mine")          # the sender's copy lives on
                self.assertEqual(mine.recv(), "still mine")

    def test_connection_through_an_mproc_connection_to_a_forked_child(self):
        parent_end, child_end = mproc.Pipe()
        self.closing(parent_end)
        self.closing(child_end)
        child = self.start_child(receive_through_connection, child_end,
                                 ctx=multiprocessing.get_context("fork"))
        mine, theirs = multiprocessing.Pipe()
        self.closing(mine)
        self.closing(theirs)
        parent_end.send(theirs)
        self.assertTrue(mine.poll(CHILD_TIMEOUT))
        self.assertEqual(mine.recv(), ("hello from", child.pid))
        self.assertTrue(parent_end.poll(CHILD_TIMEOUT))
        self.assertEqual(parent_end.recv(), {},
                         "the receiver's own descriptors were damaged")
        self.assertEqual(self.join_child(child), 0)


class MprocObjects(TestCase):
    """mproc's own objects: named ones travel by name, the others are
    refused before anything is sent."""

    def assertHelpful(self, message):
        # Every function the message names exists.
        for cls, attr in re.findall(r"mproc\.(\w+)\.(\w+)\(", message):
            self.assertTrue(hasattr(getattr(mproc, cls, None), attr),
                            f"{message!r} names mproc.{cls}.{attr}()")
        for cls in re.findall(r"mproc\.(\w+)", message):
            self.assertTrue(hasattr(mproc, cls), f"{message!r} names mproc.{cls}")

    def test_plain_pickle_refuses_a_connection(self):
        a, b = mproc.Pipe()
        self.closing(a)
        self.closing(b)
        before = descriptors()
        with self.assertRaises(TypeError) as caught:
            pickle.dumps(b)
        message = str(caught.exception)
        self.assertIn("mproc.Connection cannot be pickled by plain pickle", message)
        self.assertIn("multiprocessing's pickler", message)
        self.assertIn("fork", message)
        self.assertHelpful(message)
        self.assertEqual(damaged(before), {})
        a.send("still works")
        self.assertEqual(b.recv(), "still works")

    def test_connection_sent_in_the_same_process_arrives_working(self):
        # As multiprocessing's own Connection: a copy of the descriptor,
        # lent by this process's resource sharer.
        a, b = mproc.Pipe()
        self.closing(a)
        self.closing(b)
        q = self.closing(mproc.Queue())
        for carrier, (send, recv) in {"Connection": (a.send, b.recv),
                                      "Queue": (q.put, q.get)}.items():
            with self.subTest(carrier=carrier):
                mine, theirs = mproc.Pipe(duplex=False)
                self.closing(mine)
                self.closing(theirs)
                send(theirs)
                copy = self.closing(recv())
                self.assertIsInstance(copy, mproc.Connection)
                self.assertEqual((copy.readable, copy.writable), (False, True))
                self.assertNotEqual(copy.fileno(), theirs.fileno())
                copy.send("through the copy")
                self.assertEqual(mine.recv(), "through the copy")
                copy.close()
                theirs.send("through the original")
                self.assertEqual(mine.recv(), "through the original")

    def test_connection_to_a_spawn_or_forkserver_child(self):
        for method in ("spawn", "forkserver"):
            with self.subTest(start_method=method):
                parent_end, child_end = mproc.Pipe()
                self.closing(parent_end)
                replies_in, replies_out = mproc.Pipe(duplex=False)
                self.closing(replies_in)
                child = self.start_child(echo_until_none, child_end, replies_out,
                                         ctx=multiprocessing.get_context(method))
                child_end.close()
                replies_out.close()
                for obj in ("hello", b"\0" * 100000, {"n": 3}):
                    parent_end.send(obj)
                    self.assertTrue(parent_end.poll(CHILD_TIMEOUT))
                    self.assertEqual(parent_end.recv(), ("echo", obj))
                parent_end.send(None)
                self.assertTrue(replies_in.poll(CHILD_TIMEOUT))
                self.assertEqual(replies_in.recv(), (child.pid, True, True, False, True))
                self.assertEqual(self.join_child(child), 0)
                # The child's copies were the only other ends left.
                self.assertRaises(EOFError, parent_end.recv)
                self.assertRaises(EOFError, replies_in.recv)

    def test_anonymous_objects_are_refused(self):
        a, b = mproc.Pipe()
        self.closing(a)
        self.closing(b)
        q = self.closing(mproc.Queue())
        for obj in handles(self):
            for send in (a.send, q.put, pickle.dumps):
                with self.subTest(kind=type(obj).__name__, send=send):
                    with self.assertRaises(TypeError) as caught:
                        send(obj)
                    message = str(caught.exception)
                    self.assertIn(f"mproc.{type(obj).__name__}", message)
                    if isinstance(obj, mproc.Command):
                        self.assertIn("process that made it", message)
                    else:
                        self.assertIn("named=True", message)
                    self.assertHelpful(message)
        self.assertFalse(b.poll(0))
        self.assertTrue(q.empty())

    def test_a_blocks_lock_says_to_send_the_block(self):
        shm = self.closing(mproc.SharedMemory(name=self.unique_name(), create=True,
                                              size=8))
        self.addCleanup(shm.unlink)
        with self.assertRaises(TypeError) as caught:
            pickle.dumps(shm.lock())
        self.assertIn("lock()", str(caught.exception))
        copy = self.closing(pickle.loads(pickle.dumps(shm)))
        with copy.lock():
            self.assertTrue(shm.lock().locked())

    def test_named_objects_travel_by_name(self):
        a, b = mproc.Pipe()
        self.closing(a)
        self.closing(b)
        carrier = self.closing(mproc.Queue())
        lock = self.closing(mproc.Lock(name=self.unique_name()))
        self.addCleanup(lock.unlink)
        objects = [
            lock, mproc.RLock(name=self.unique_name()),
            mproc.Semaphore(2, name=self.unique_name()),
            mproc.BoundedSemaphore(2, name=self.unique_name()),
            mproc.Event(name=self.unique_name()),
            mproc.Condition(lock, name=self.unique_name()),
            mproc.Barrier(2, timeout=7.5, name=self.unique_name()),
            mproc.Queue(name=self.unique_name(), raw=True),
            mproc.JoinableQueue(name=self.unique_name()),
            mproc.SharedMemory(name=self.unique_name(), create=True, size=16),
        ]
        for obj in objects[1:]:
            self.closing(obj)
            self.addCleanup(obj.unlink)
        for obj in objects:
            for send, recv in ((a.send, b.recv), (carrier.put, carrier.get),
                               (pickle.dumps, pickle.loads)):
                with self.subTest(kind=type(obj).__name__, send=send):
                    sent = send(obj)
                    copy = self.closing(recv(sent) if sent is not None else recv())
                    self.assertIs(type(copy), type(obj))
                    self.assertEqual(copy.name, obj.name)
                    self.assertIsNot(copy, obj)
        # The copies share the object, and keep the handle's own settings.
        queue = pickle.loads(pickle.dumps(objects[7]))
        self.closing(queue)
        self.assertTrue(queue.raw)
        queue.put(b"\x00raw")
        self.assertEqual(objects[7].get(), b"\x00raw")
        barrier = self.closing(pickle.loads(pickle.dumps(objects[6])))
        self.assertEqual(barrier._timeout, 7.5)
        event = self.closing(pickle.loads(pickle.dumps(objects[4])))
        event.set()
        self.assertTrue(objects[4].is_set())
        shm = self.closing(pickle.loads(pickle.dumps(objects[9])))
        shm.buf[3] = 9
        self.assertEqual(objects[9].buf[3], 9)

    def test_closed_named_object_is_refused(self):
        event = mproc.Event(name=self.unique_name())
        self.addCleanup(mproc.unlink, event.name)
        event.close()
        self.assertRaises(mproc.ClosedError, pickle.dumps, event)

    def test_named_objects_as_arguments_of_a_spawned_process(self):
        for method in ("spawn", "forkserver"):
            with self.subTest(start_method=method):
                event = self.closing(mproc.Event(name=self.unique_name()))
                self.addCleanup(event.unlink)
                q = self.closing(mproc.Queue(name=self.unique_name()))
                self.addCleanup(q.unlink)
                lock = self.closing(mproc.Lock(name=self.unique_name()))
                self.addCleanup(lock.unlink)
                code = self.run_child(set_and_put, event, q, lock,
                                      ctx=multiprocessing.get_context(method))
                self.assertEqual(code, 0)
                self.assertTrue(event.is_set())
                self.assertEqual(q.get(timeout=5), ("Event", event.name, False))

    def test_anonymous_argument_of_a_spawned_process_is_refused(self):
        event = self.closing(mproc.Event())
        child = multiprocessing.get_context("spawn").Process(
            target=set_and_put, args=(event, None, None))
        with self.assertRaises(TypeError) as caught:
            child.start()
        self.assertIn("named=True", str(caught.exception))
