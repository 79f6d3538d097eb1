"""Exceptions, and the one place where a C return code becomes one.

Each exception raised for a C error derives from MprocError (an OSError,
carrying .code, .name and the library's detailed message) and, where Python
has an exception for the same situation, from that one too: code written
for multiprocessing (`except queue.Empty`, `except EOFError`, ...) keeps
working unchanged.
"""
import multiprocessing
import queue
import subprocess
import threading

from ._lib import lib

# The codes the binding reacts to (values from MPROC_ERRNO_MAP; part of the
# ABI, they never change).
EPERM = -1
ENOENT = -2
EINTR = -4
EBADF = -9
EACCES = -13
EBUSY = -16
EEXIST = -17
EINVAL = -22
EPIPE = -32
ERANGE = -34
ENAMETOOLONG = -36
EOVERFLOW = -75
ENOTSUP = -95
ECONNRESET = -104
ETIMEDOUT = -110
EEMPTY = -3001
EFULL = -3002
ECLOSED = -3003
EOF = -3004
ESTATE = -3005
ETOOBIG = -3007
EOWNERDEAD = -3008
EWORKER = -3009
EBROKEN = -3010
ETASK = -3014
ETYPE = -3012
EAUTH = -3015

# mproc's own codes start here; above it they are negated Linux errno values.
_OWN_CODES = -3000


def error_name(code):
    """The symbolic name of `code`, e.g. "ETIMEDOUT"."""
    return lib.mproc_err_name(code).decode()


def strerror(code):
    """The library's short description of `code`."""
    return lib.mproc_strerror(code).decode()


class MprocError(OSError):
    """An mproc call failed. .code is the negative MPROC_E* code, .name its
    symbol ("ETIMEDOUT"), .errno the positive errno for OS errors (else
    None), str() the library's detailed message."""

    def __init__(self, code, message=None):
        name = error_name(code)
        text = message or strerror(code)
        errno = -code if code > _OWN_CODES else None
        super().__init__(errno, text)
        self.code = code
        self.name = name

    def __str__(self):
        return f"{self.strerror} [{self.name}]"

    def __reduce__(self):
        # Lets errors travel through pickling (for instance back to a parent
        # through a multiprocessing pipe).
        return (_rebuild, (type(self), self.code, self.strerror))


def _rebuild(cls, code, message):
    return cls(code, message)


class MprocTimeoutError(MprocError, TimeoutError):
    """MPROC_ETIMEDOUT: the wait ran out."""


class ClosedError(MprocError, ValueError,
                  *((queue.ShutDown,) if hasattr(queue, "ShutDown") else ())):
    """MPROC_ECLOSED: the object was closed (this handle by close(), or a
    queue for everyone by shutdown()). A ValueError, as multiprocessing
    raises for a closed Queue."""


class QueueEmpty(MprocError, queue.Empty):
    """MPROC_EEMPTY: nothing to get in time (queue.Empty)."""


class QueueFull(MprocError, queue.Full):
    """MPROC_EFULL: no room to put in time (queue.Full)."""


class PeerClosedError(MprocError, EOFError):
    """MPROC_EOF: the other end closed and every message was read."""


class MprocBrokenPipeError(MprocError, BrokenPipeError):
    """MPROC_EPIPE: the peer is gone."""


class MprocBrokenBarrierError(MprocError, threading.BrokenBarrierError):
    """MPROC_EBROKEN, or a barrier wait that timed out (which breaks it)."""


class NameNotFoundError(MprocError, FileNotFoundError):
    """MPROC_ENOENT: no object of that name."""


class NameExistsError(MprocError, FileExistsError):
    """MPROC_EEXIST: the name is taken."""


class MprocPermissionError(MprocError, PermissionError):
    """MPROC_EPERM / MPROC_EACCES."""


class InvalidArgumentError(MprocError, ValueError):
    """MPROC_EINVAL, MPROC_ERANGE, MPROC_ETOOBIG, ...: a bad value."""


class WrongTypeError(MprocError, TypeError):
    """MPROC_ETYPE: the name belongs to another kind of object."""


class StateError(MprocError, RuntimeError):
    """MPROC_ESTATE: not valid in the object's current state (releasing a
    lock the thread does not hold is a RuntimeError, as in threading)."""


class ReleasedTooManyTimesError(StateError, ValueError):
    """ESTATE from task_done() or a BoundedSemaphore's release(): Python
    raises ValueError there."""


class CommandTimeoutError(MprocTimeoutError, subprocess.TimeoutExpired):
    """run() timed out; the command was killed. Also a
    subprocess.TimeoutExpired, with .cmd and .timeout."""

    def __init__(self, code, message=None, cmd=None, timeout=None):
        MprocError.__init__(self, code, message)
        self.cmd = cmd
        self.timeout = timeout
        self.output = self.stdout = None
        self.stderr = None

    __str__ = MprocError.__str__


class AuthenticationError(MprocError, multiprocessing.AuthenticationError):
    """MPROC_EAUTH: a peer does not hold the same authkey, or does not
    speak multiprocessing.connection's handshake (Python's
    AuthenticationError)."""


class BufferTooShort(MprocError, multiprocessing.BufferTooShort):
    """MPROC_ETOOBIG from Connection.recv_bytes_into(): the message does
    not fit the buffer. As multiprocessing's BufferTooShort: the message
    was consumed, and args[0] is the whole of it (bytes)."""

    def __init__(self, message):
        MprocError.__init__(self, ETOOBIG, f"a message of {len(message)} bytes "
                            f"does not fit the buffer")
        self.args = (message,)

    def __reduce__(self):
        return (type(self), self.args)


class OwnerDiedWarning(RuntimeWarning):
    """A lock was taken over from a holder that died while holding it: the
    data it guards may be half-updated."""


_CLASSES = {
    ETIMEDOUT: MprocTimeoutError,
    ECLOSED: ClosedError,
    EEMPTY: QueueEmpty,
    EFULL: QueueFull,
    EOF: PeerClosedError,
    EPIPE: MprocBrokenPipeError,
    ECONNRESET: MprocBrokenPipeError,
    EBROKEN: MprocBrokenBarrierError,
    ENOENT: NameNotFoundError,
    EEXIST: NameExistsError,
    EPERM: MprocPermissionError,
    EACCES: MprocPermissionError,
    EINVAL: InvalidArgumentError,
    ERANGE: InvalidArgumentError,
    ETOOBIG: InvalidArgumentError,
    ENAMETOOLONG: InvalidArgumentError,
    EOVERFLOW: InvalidArgumentError,
    ETYPE: WrongTypeError,
    ESTATE: StateError,
    EAUTH: AuthenticationError,
}


def error_from(code, cls=None):
    """The exception for a failed call that returned `code`. Call it on the
    failing thread before any other mproc call: the detailed message is
    the thread's most recent failure."""
    message = None
    if lib.mproc_last_error_code() == code:
        message = lib.mproc_last_error().decode(errors="replace") or None
    return error_of(code, message, cls)


def error_of(code, message, cls=None):
    """The exception for `code` with its detailed `message` (None: the
    code's own text)."""
    return (cls or _CLASSES.get(code, MprocError))(code, message)


def check(rc):
    """Raises the exception for `rc` unless it is 0 (success)."""
    if rc:
        raise error_from(rc)
    return rc


def closed_error(what):
    """The error for using an object after this process closed it."""
    return ClosedError(ECLOSED, f"{what} is closed")
