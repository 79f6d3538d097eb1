"""mproc.Listener / mproc.Client / mproc.wait against each other and
against Python's own multiprocessing.connection, and the authkey."""
import threading
from multiprocessing import connection as pyconn

import mproc

from .support import TestCase

KEY = b"python-binding-key"


class AuthkeyTests(TestCase):
    def test_process_key(self):
        key = mproc.current_authkey()
        self.assertEqual(len(key), 32)
        try:
            mproc.set_authkey(b"another")
            self.assertEqual(mproc.current_authkey(), b"another")
            self.assertRaises(ValueError, mproc.set_authkey, b"")
        finally:
            mproc.set_authkey(key)


class ListenerTests(TestCase):
    def test_mproc_on_both_sides(self):
        with mproc.Listener(("127.0.0.1", 0), authkey=KEY) as listener:
            host, port = listener.address
            self.assertEqual(host, "127.0.0.1")
            with mproc.Client(listener.address, authkey=KEY) as c, listener.accept() as s:
                c.send_bytes(b"ping")
                self.assertEqual(s.recv_bytes(), b"ping")
                s.send({"answer": 42})
                self.assertEqual(c.recv(), {"answer": 42})

    def test_python_client_to_mproc_listener(self):
        with mproc.Listener(("127.0.0.1", 0), authkey=KEY) as listener:
            got = []

            def python_side():
                with pyconn.Client(listener.address, authkey=KEY) as conn:
                    conn.send_bytes(b"from python")
                    got.append(conn.recv_bytes())

            t = threading.Thread(target=python_side)
            t.start()
            with listener.accept() as s:
                self.assertEqual(s.recv_bytes(), b"from python")
                s.send_bytes(b"from mproc")
            t.join(30)
            self.assertEqual(got, [b"from mproc"])

    def test_mproc_client_to_python_listener(self):
        with pyconn.Listener(("127.0.0.1", 0), authkey=KEY) as listener:
            def python_side():
                with listener.accept() as conn:
                    conn.send_bytes(conn.recv_bytes()[::-1])

            t = threading.Thread(target=python_side)
            t.start()
            with mproc.Client(listener.address, authkey=KEY) as c:
                c.send_bytes(b"abc")
                self.assertEqual(c.recv_bytes(), b"cba")
            t.join(30)

    def test_wrong_key_fails_on_both_sides(self):
        with mproc.Listener(("127.0.0.1", 0), authkey=KEY) as listener:
            with self.assertRaises(mproc.AuthenticationError) as caught:
                mproc.Client(listener.address, authkey=b"wrong")
            # Also Python's own exception type.
            from multiprocessing import AuthenticationError
            self.assertIsInstance(caught.exception, AuthenticationError)
            self.assertRaises(mproc.AuthenticationError, listener.accept, 30)
            self.assertRaises(TimeoutError, listener.accept, 0)

    def test_wait_over_connections_listener_and_queue(self):
        q = mproc.Queue()
        self.closing(q)
        with mproc.Listener(("127.0.0.1", 0), authkey=KEY) as listener:
            self.assertEqual(mproc.wait([listener, q], timeout=0), [])
            c = mproc.Client(listener.address, authkey=KEY)
            self.closing(c)
            self.assertEqual(mproc.wait([listener, q], timeout=30), [listener])
            s = listener.accept()
            self.closing(s)
            q.put("item")
            c.send_bytes(b"x")
            ready = []
            for _ in range(100):  # until both are in, without sleeping
                ready = mproc.wait([s, q], timeout=30)
                if len(ready) == 2:
                    break
            self.assertEqual(ready, [s, q])
