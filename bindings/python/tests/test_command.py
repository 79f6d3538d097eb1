import os
import subprocess
import sys

import mproc

from .support import TestCase


class RunTests(TestCase):
    def test_capture_and_input(self):
        done = mproc.run(["cat"], input=b"through stdin")
        self.assertIsInstance(done, subprocess.CompletedProcess)
        self.assertEqual(done.stdout, b"through stdin")
        self.assertEqual(done.stderr, b"")
        self.assertEqual(done.returncode, 0)

    def test_stderr_and_returncode(self):
        done = mproc.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        self.assertEqual((done.stdout, done.stderr, done.returncode),
                         (b"out\n", b"err\n", 3))
        with self.assertRaises(subprocess.CalledProcessError):
            mproc.run(["false"], check=True)

    def test_cwd_and_env(self):
        done = mproc.run(["sh", "-c", "pwd; echo \"$ONLY\"; echo \"${HOME-unset}\""],
                         cwd="/", env={"ONLY": "this", "PATH": os.environ["PATH"]})
        self.assertEqual(done.stdout, b"/\nthis\nunset\n")

    def test_timeout_kills(self):
        with self.assertTakes(0.3):
            with self.assertRaises(subprocess.TimeoutExpired) as caught:
                mproc.run(["sleep", "30"], timeout=0.3)
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertEqual(caught.exception.timeout, 0.3)

    def test_missing_program(self):
        with self.assertRaises(FileNotFoundError) as caught:
            mproc.run(["mproc-no-such-program"])
        self.assertIn("mproc-no-such-program", str(caught.exception))

    def test_bad_arguments(self):
        self.assertRaises(ValueError, mproc.run, [])
        self.assertRaises(ValueError, mproc.run, ["echo", "a\0b"])
        self.assertRaises(TypeError, mproc.run, [1])
        self.assertRaises(TypeError, mproc.run, ["cat"], input="text")
        self.assertRaises(ValueError, mproc.run, ["true"], env={"A=B": "c"})
        self.assertRaises(ValueError, mproc.run, ["true"], timeout=float("nan"))


class CommandTests(TestCase):
    def test_pipes_both_ways(self):
        with mproc.Command(["cat"], stdin=mproc.PIPE, stdout=mproc.PIPE) as cmd:
            self.assertIsNone(cmd.pid)
            cmd.start()
            self.assertGreater(cmd.pid, 0)
            self.assertIsNone(cmd.returncode)
            self.assertEqual(cmd.write(b"ping"), 4)
            self.assertEqual(cmd.read(timeout=10), b"ping")
            cmd.close_stdin()
            self.assertEqual(cmd.read(timeout=10), b"")
            self.assertEqual(cmd.wait(timeout=10), 0)
            self.assertFalse(cmd.is_alive())

    def test_read_timeout_and_terminate(self):
        cmd = self.command(["sleep", "30"], stdout=mproc.PIPE)
        with self.assertTakes(0.2):
            self.assertRaises(TimeoutError, cmd.read, 10, 0.2)
        with self.assertTakes(0.2):
            self.assertIsNone(cmd.join(0.2))
        self.assertRaises(subprocess.TimeoutExpired, cmd.wait, 0.1)
        self.assertTrue(cmd.is_alive())
        cmd.terminate()
        self.assertEqual(cmd.wait(10), -15)
        self.assertEqual(cmd.poll(), -15)

    def test_kill_and_stderr_to_stdout(self):
        cmd = self.command(
            [sys.executable, "-c",
             "import sys, time; print('o', flush=True); "
             "print('e', file=sys.stderr, flush=True); time.sleep(30)"],
            stdout=mproc.PIPE, stderr=mproc.STDOUT)
        seen = b""
        while seen.count(b"\n") < 2:
            seen += cmd.read(timeout=30)
        self.assertEqual(sorted(seen.split()), [b"e", b"o"])
        cmd.kill()
        self.assertEqual(cmd.wait(10), -9)

    def test_file_and_devnull(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            f"mproc-pytest-{os.getpid()}.txt")
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        with mproc.Command(["echo", "to file"], stdout=path,
                           stdin=mproc.DEVNULL) as cmd:
            self.assertEqual(cmd.start().wait(10), 0)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), b"to file\n")

    def test_errors(self):
        cmd = self.closing(mproc.Command(["true"]))
        self.assertRaises(mproc.StateError, cmd.write, b"x")   # stdin not a pipe
        self.assertRaises(mproc.StateError, cmd.wait, 1)      # not started
        missing = self.closing(mproc.Command(["mproc-no-such-program"]))
        self.assertRaises(FileNotFoundError, missing.start)
        self.assertRaises(ValueError, mproc.Command, ["true"], stdout=mproc.STDOUT)
        self.assertRaises(ValueError, mproc.Command, ["true"], stdin=True)
        started = self.closing(mproc.Command(["true"]).start())
        self.assertRaises(mproc.StateError, started.start)
        self.assertEqual(started.wait(10), 0)
        self.assertIn("returncode=0", repr(started))
        started.close()
        self.assertRaises(mproc.ClosedError, started.wait)
        self.assertIn("closed", repr(started))     # repr never raises
