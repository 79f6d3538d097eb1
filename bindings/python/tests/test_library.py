import pickle
import queue
import subprocess
import sys

import mproc
from mproc import _errors, _lib

from .support import TestCase, child_env


class LibraryTests(TestCase):
    def test_version_and_cpu_count(self):
        self.assertRegex(mproc.version(), r"^0\.\d+\.\d+$")
        self.assertGreaterEqual(mproc.cpu_count(), 1)

    def test_refuses_another_major_version(self):
        _lib.check_version(1, "0.0.1", "x")
        _lib.check_version(199, "0.1.99", "x")
        with self.assertRaises(mproc.LibraryError) as caught:
            _lib.check_version(10000, "1.0.0", "/some/libmproc.so.1")
        self.assertIn("/some/libmproc.so.1", str(caught.exception))
        self.assertIn("1.0.0", str(caught.exception))
        self.assertIsInstance(caught.exception, ImportError)

    def test_missing_library_names_the_path(self):
        env = child_env(MPROC_LIBRARY="/nonexistent/libmproc.so.0")
        done = subprocess.run([sys.executable, "-c", "import mproc"], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("/nonexistent/libmproc.so.0", done.stderr)
        self.assertIn("MPROC_LIBRARY", done.stderr)

    def test_every_declared_symbol_has_a_signature(self):
        for name in _lib._SIGNATURES:
            fn = getattr(_lib.lib, name)
            self.assertIsNotNone(fn.argtypes, name)


class ErrorTests(TestCase):
    def test_codes_names_and_messages(self):
        err = _errors.error_from(_errors.ETIMEDOUT)
        self.assertIsInstance(err, mproc.MprocTimeoutError)
        self.assertIsInstance(err, TimeoutError)
        self.assertEqual((err.code, err.name, err.errno), (-110, "ETIMEDOUT", 110))
        self.assertEqual(mproc.error_name(-3003), "ECLOSED")
        self.assertEqual(mproc.strerror(-3003), "object is closed")
        self.assertIsInstance(_errors.error_from(-3001), queue.Empty)
        self.assertIsInstance(_errors.error_from(-3002), queue.Full)
        self.assertIsInstance(_errors.error_from(-3004), EOFError)
        self.assertIsInstance(_errors.error_from(-3010), mproc.BrokenBarrierError)
        self.assertIsNone(_errors.error_from(-3099).errno)

    def test_detailed_message_comes_from_the_library(self):
        with self.assertRaises(FileNotFoundError) as caught:
            mproc.Lock.open("mproc-pytest-nothing-here")
        err = caught.exception
        self.assertEqual(err.name, "ENOENT")
        self.assertIn("mproc-pytest-nothing-here", str(err))
        self.assertIn("[ENOENT]", str(err))

    def test_errors_pickle(self):
        err = _errors.error_from(_errors.ECLOSED)
        copy = pickle.loads(pickle.dumps(err))
        self.assertIs(type(copy), mproc.ClosedError)
        self.assertEqual((copy.code, str(copy)), (err.code, str(err)))
