import array
import multiprocessing
import pickle
import select
import threading

import mproc

from .support import TestCase


def pair(test, duplex=True):
    a, b = mproc.Pipe(duplex)
    test.closing(a)
    test.closing(b)
    return a, b


class PipeTests(TestCase):
    def test_objects_both_ways(self):
        a, b = pair(self)
        a.send({"x": [1, 2]})
        self.assertEqual(b.recv(), {"x": [1, 2]})
        b.send(None)
        self.assertIsNone(a.recv())
        self.assertTrue(a.readable and a.writable)

    def test_bytes_offsets_and_limits(self):
        a, b = pair(self)
        a.send_bytes(b"hello world", 6)
        a.send_bytes(b"hello world", 0, 5)
        a.send_bytes(array.array("i", [1, 2]))
        a.send_bytes(b"")
        self.assertEqual(b.recv_bytes(), b"world")
        self.assertEqual(b.recv_bytes(5), b"hello")
        self.assertEqual(len(b.recv_bytes()), 2 * array.array("i").itemsize)
        self.assertEqual(b.recv_bytes(), b"")
        a.send_bytes(b"too long")
        self.assertRaises(OSError, b.recv_bytes, 3)
        self.assertRaises(ValueError, a.send_bytes, b"abc", 4)
        self.assertRaises(ValueError, a.send_bytes, b"abc", 1, 3)
        self.assertRaises(TypeError, a.send_bytes, "text")

    def test_recv_bytes_into(self):
        a, b = pair(self)
        a.send_bytes(b"abcdef")
        buf = bytearray(10)
        self.assertEqual(b.recv_bytes_into(buf, 2), 6)
        self.assertEqual(bytes(buf), b"\0\0abcdef\0\0")
        a.send_bytes(b"0123456789")
        small = bytearray(4)
        with self.assertRaises(multiprocessing.BufferTooShort) as caught:
            b.recv_bytes_into(small)
        # As multiprocessing: the whole message in args[0], and consumed.
        self.assertIsInstance(caught.exception, mproc.BufferTooShort)
        self.assertIsInstance(caught.exception, mproc.MprocError)
        self.assertEqual(caught.exception.args, (b"0123456789",))
        self.assertEqual(caught.exception.name, "ETOOBIG")
        self.assertEqual(bytes(small), b"\0" * 4)
        self.assertFalse(b.poll())
        a.send_bytes(b"next")
        self.assertEqual(b.recv_bytes_into(small), 4)
        self.assertEqual(bytes(small), b"next")
        copy = pickle.loads(pickle.dumps(caught.exception))
        self.assertIs(type(copy), mproc.BufferTooShort)
        self.assertEqual(copy.args, (b"0123456789",))
        self.assertRaises(TypeError, b.recv_bytes_into, b"read-only")

    def test_poll(self):
        a, b = pair(self)
        self.assertFalse(b.poll())
        with self.assertTakes(0.2):
            self.assertFalse(b.poll(0.2))
        thread = threading.Thread(target=a.send, args=("late",))
        thread.start()
        self.assertTrue(b.poll(None))
        thread.join()
        self.assertEqual(b.recv(), "late")
        self.assertRaises(ValueError, b.poll, float("nan"))

    def test_fileno_is_selectable(self):
        a, b = pair(self)
        fd = b.fileno()
        self.assertIsInstance(fd, int)
        self.assertEqual(select.select([fd], [], [], 0)[0], [])
        a.send(1)
        self.assertEqual(select.select([fd], [], [], 5)[0], [fd])

    def test_eof_after_peer_closes(self):
        a, b = pair(self)
        a.send("last")
        a.close()
        self.assertEqual(b.recv(), "last")
        self.assertTrue(b.poll(0))
        with self.assertRaises(EOFError) as caught:
            b.recv()
        self.assertEqual(caught.exception.name, "EOF")
        self.assertRaises(EOFError, b.recv_bytes)
        with self.assertRaises(BrokenPipeError):
            b.send("nobody listens")

    def test_eof_wakes_a_blocked_receiver(self):
        a, b = pair(self)
        errors = []

        def receive():
            try:
                b.recv()
            except EOFError as exc:
                errors.append(exc)

        thread = threading.Thread(target=receive)
        thread.start()
        a.close()
        thread.join(10)
        self.assertFalse(thread.is_alive())
        self.assertEqual(len(errors), 1)

    def test_one_way_pipe(self):
        reader, writer = pair(self, duplex=False)
        self.assertTrue(reader.readable and not reader.writable)
        self.assertTrue(writer.writable and not writer.readable)
        writer.send(5)
        self.assertEqual(reader.recv(), 5)
        with self.assertRaises(mproc.MprocError) as caught:
            reader.send(1)
        self.assertEqual(caught.exception.name, "ENOTSUP")
        self.assertRaises(mproc.MprocError, writer.recv)

    def test_closed_end_and_pickling(self):
        a, b = pair(self)
        a.close()
        self.assertRaises(mproc.ClosedError, a.send, 1)
        self.assertRaises(mproc.ClosedError, a.fileno)
        self.assertRaises(TypeError, pickle.dumps, b)
        self.assertRaises(TypeError, mproc.Connection)
        self.assertIn("closed", repr(a))
