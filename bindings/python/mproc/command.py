"""run() and Command: other programs as child processes, over
mproc_command_* (the parts of subprocess that multiprocessing programs
need).
"""
import ctypes
import os
import subprocess

from . import _errors
from ._errors import ESTATE, ETIMEDOUT
from ._handle import Handle, as_bytes, as_size, query, timeout_ms
from ._lib import lib

PIPE = subprocess.PIPE
STDOUT = subprocess.STDOUT
DEVNULL = subprocess.DEVNULL

_INHERIT, _NULL, _PIPE, _STDOUT = 0, 1, 2, 4
_TIMED_OUT = (ETIMEDOUT,)


def _fs(value, what):
    try:
        raw = os.fsencode(value)
    except TypeError:
        raise TypeError(f"{what} must be str, bytes or os.PathLike, not "
                        f"{type(value).__name__}") from None
    if b"\0" in raw:
        raise ValueError(f"embedded null byte in {what}")
    return raw


def _argv(args):
    """A NULL-terminated char*[] for `args` (a program or a sequence)."""
    if isinstance(args, (str, bytes, os.PathLike)):
        args = [args]
    items = [_fs(a, "argument") for a in args]
    if not items:
        raise ValueError("args must name a program")
    return (ctypes.c_char_p * (len(items) + 1))(*items, None)


def _options(cwd, env, streams=(), new_group=False):
    """A new mproc_command_opts_t; the caller frees it."""
    opts = ctypes.c_void_p()
    _errors.check(lib.mproc_command_opts_new(ctypes.byref(opts)))
    try:
        if cwd is not None:
            _errors.check(lib.mproc_command_opts_set_cwd(opts, _fs(cwd, "cwd")))
        if env is not None:
            _errors.check(lib.mproc_command_opts_env_clear(opts))
            for key, value in env.items():
                key = _fs(key, "environment variable name")
                if not key or b"=" in key:
                    raise ValueError(f"illegal environment variable name {key!r}")
                _errors.check(lib.mproc_command_opts_env_set(
                    opts, key, _fs(value, "environment variable value")))
        for which, spec in streams:
            _set_stream(opts, which, spec)
        if new_group:
            _errors.check(lib.mproc_command_opts_set_new_group(opts, 1))
    except BaseException:
        lib.mproc_command_opts_free(opts)
        raise
    return opts


def _set_stream(opts, which, spec):
    if spec is None:
        return
    if isinstance(spec, (str, bytes, os.PathLike)):
        _errors.check(lib.mproc_command_opts_set_stdio_file(
            opts, which, _fs(spec, "file path"), 0))
        return
    modes = {PIPE: _PIPE, DEVNULL: _NULL}
    if which == 2:
        modes[STDOUT] = _STDOUT
    if isinstance(spec, bool) or spec not in modes:
        raise ValueError(f"stream {which}: expected None, PIPE, DEVNULL"
                         f"{', STDOUT' if which == 2 else ''} or a file path, "
                         f"not {spec!r}")
    _errors.check(lib.mproc_command_opts_set_stdio(opts, which, modes[spec]))


def _captured(fn, result):
    """One stream of a capture result, as bytes."""
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    _errors.check(fn(result, ctypes.byref(data), ctypes.byref(size)))
    return ctypes.string_at(data, size.value)


def run(args, input=None, timeout=None, cwd=None, env=None, check=False):
    """Runs a command to completion, capturing stdout and stderr, and
    returns a subprocess.CompletedProcess (bytes output). `input` (bytes)
    is written to its stdin; without it stdin is /dev/null. `env` replaces
    the environment. Past `timeout` seconds the command is killed and
    CommandTimeoutError (a TimeoutError and a subprocess.TimeoutExpired)
    is raised. check=True raises CalledProcessError on a non-zero exit.
    A missing program raises FileNotFoundError (NameNotFoundError)."""
    argv = _argv(args)
    data = b"" if input is None else as_bytes(input)
    ms = timeout_ms(timeout)
    opts = _options(cwd, env)
    result = ctypes.c_void_p()
    try:
        # One call, not cut into slices: Ctrl-C arrives when it returns.
        rc = lib.mproc_command_capture(
            argv, opts, data if data else None, len(data), ms, ctypes.byref(result))
        if rc == ETIMEDOUT:
            raise _errors.CommandTimeoutError(
                rc, _errors.error_from(rc).strerror, cmd=args, timeout=timeout)
        if rc:
            raise _errors.error_from(rc)
    finally:
        lib.mproc_command_opts_free(opts)
    try:
        code = query(lib.mproc_capture_exitcode, result, ctypes.c_int)
        stdout = _captured(lib.mproc_capture_stdout, result)
        stderr = _captured(lib.mproc_capture_stderr, result)
    finally:
        lib.mproc_capture_free(result)
    done = subprocess.CompletedProcess(args, code, stdout, stderr)
    if check:
        done.check_returncode()
    return done


class Command(Handle):
    """A program to run as a child process.

    stdin, stdout, stderr: None (inherit), PIPE, DEVNULL, a file path, or
    (stderr only) STDOUT. `env` replaces the environment. new_group: the
    command leads a process group and terminate()/kill() reach the group.
    Nothing runs until start(). close() (or leaving a `with` block) frees
    the handle only: a command still running goes on and is reaped in the
    background."""

    _free = lib.mproc_command_free
    _kind = "command"
    _pickle_hint = ("a command is joined, read and written only by the "
                    "process that made it")

    def __init__(self, args, *, stdin=None, stdout=None, stderr=None,
                 cwd=None, env=None, new_group=False):
        argv = _argv(args)
        opts = _options(cwd, env, ((0, stdin), (1, stdout), (2, stderr)),
                        new_group)
        out = ctypes.c_void_p()
        try:
            _errors.check(lib.mproc_command_new(ctypes.byref(out), argv, opts))
        finally:
            lib.mproc_command_opts_free(opts)
        self._adopt(out.value)
        self.args = args

    def start(self):
        """Starts the program. FileNotFoundError (and other OSErrors) when
        it can not be run; StateError if started already."""
        self._call(lib.mproc_command_start)
        return self

    def write(self, data, timeout=None):
        """Writes all of `data` to the stdin pipe, waiting up to `timeout`
        seconds for room. Returns the number of bytes written. On timeout,
        MprocTimeoutError with .written set to the bytes that went in.
        BrokenPipeError if the command closed its stdin."""
        data = as_bytes(data)
        ms = timeout_ms(timeout)
        base = ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value
        written = ctypes.c_size_t()
        total = 0

        def attempt(step):
            nonlocal total
            rc = lib.mproc_command_write(ptr, base + total, len(data) - total,
                                         ctypes.byref(written), step)
            total += written.value
            return rc

        ptr = self._enter()
        try:
            rc = self._wait(attempt, ms, _TIMED_OUT) if data else 0
            if rc:
                error = _errors.error_from(rc)
                error.written = total
                raise error
        finally:
            self._leave()
        return total

    def close_stdin(self):
        """Closes the stdin pipe: the command sees end of input."""
        self._call(lib.mproc_command_close_stdin)

    def read(self, size=65536, timeout=None, *, stderr=False):
        """Returns what is available from the stdout (or stderr) pipe: at
        least 1 and at most `size` bytes, or b"" once the pipe is closed.
        MprocTimeoutError if nothing came within `timeout` seconds."""
        size = as_size(size, "size", minimum=1)
        ms = timeout_ms(timeout)
        buf = ctypes.create_string_buffer(size)
        n = ctypes.c_size_t()
        which = 2 if stderr else 1
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_command_read(
                ptr, which, buf, size, ctypes.byref(n), step), ms, _TIMED_OUT)
            if rc == _errors.EOF:
                return b""
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return ctypes.string_at(buf, n.value)

    def join(self, timeout=None):
        """Waits up to `timeout` seconds for the process to end (not for
        its pipes to close). Returns None either way, as Process.join."""
        self._join(timeout_ms(timeout))

    def wait(self, timeout=None):
        """Waits for the process to end and returns its returncode;
        CommandTimeoutError if it still runs after `timeout` seconds."""
        if self._join(timeout_ms(timeout)) == ETIMEDOUT:
            raise _errors.CommandTimeoutError(
                ETIMEDOUT, f"command {self.args!r} still runs after {timeout} s",
                cmd=self.args, timeout=timeout)
        return self.returncode

    def _join(self, ms):
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_command_join(ptr, step), ms,
                            _TIMED_OUT)
            if rc not in (0, ETIMEDOUT):
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return rc

    def is_alive(self):
        alive = ctypes.c_int()
        self._call(lib.mproc_command_is_alive, ctypes.byref(alive))
        return bool(alive.value)

    def poll(self):
        """The returncode if the process has ended, else None."""
        return self.returncode

    def terminate(self):
        """SIGTERM (to the group with new_group=True)."""
        self._call(lib.mproc_command_terminate)

    def kill(self):
        """SIGKILL (to the group with new_group=True)."""
        self._call(lib.mproc_command_kill)

    def _query(self, fn, value):
        """fn(handle, &value), or None while the state forbids it."""
        ptr = self._enter()
        try:
            rc = fn(ptr, ctypes.byref(value))
            if rc == ESTATE:
                return None
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return value.value

    @property
    def pid(self):
        """The process id, or None before start()."""
        return self._query(lib.mproc_command_pid, ctypes.c_int64())

    @property
    def returncode(self):
        """The exit status, -N after signal N, or None while not ended."""
        return self._query(lib.mproc_command_exitcode, ctypes.c_int())

    def __repr__(self):
        # Never raises: a closed command has no returncode to ask for.
        state = "closed" if self._closing else f"returncode={self.returncode}"
        return f"<mproc.Command {self.args!r} {state}>"
