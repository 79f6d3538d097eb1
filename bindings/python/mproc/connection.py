"""Pipe() and Connection over mproc connections (multiprocessing.Pipe).

send()/recv() carry pickled objects, send_bytes()/recv_bytes() raw bytes;
the two may be mixed as long as both ends agree on what each message is.
"""
import ctypes
import pickle

from . import _errors
from ._errors import ETIMEDOUT, ETOOBIG
from ._handle import (FOREVER, Handle, as_bytes, as_size, message_bytes, query,
                      timeout_ms)
from ._lib import lib
from ._pickling import dumps as _dumps

_TIMED_OUT = (ETIMEDOUT,)


class Connection(Handle):
    """One end of a Pipe. Messages arrive whole and in order. Connections
    have no name: they cannot be opened from another process, only
    inherited through fork."""

    _free = lib.mproc_conn_free
    _kind = "connection"
    # The C ABI passes a connection to a child only as a process argument
    # (mproc_args_add_conn), which the Python front end does not start.
    _pickle_hint = ("a connection has no name to be opened by elsewhere: let "
                    "a child inherit it through fork (start method 'fork'), "
                    "or reach other processes through a named mproc.Queue "
                    "(send its name, or the queue itself) or through a "
                    "multiprocessing.Pipe, whose connections can be sent")

    def __init__(self):
        raise TypeError("connections are made by mproc.Pipe()")

    @classmethod
    def _wrap(cls, ptr):
        self = cls.__new__(cls)
        self._adopt(ptr)
        self._readable = bool(query(lib.mproc_conn_readable, ptr, ctypes.c_int))
        self._writable = bool(query(lib.mproc_conn_writable, ptr, ctypes.c_int))
        return self

    @property
    def readable(self):
        return self._readable

    @property
    def writable(self):
        return self._writable

    # ---- sending -------------------------------------------------------

    def send(self, obj):
        """Sends a picklable object, pickled as multiprocessing does (see
        Queue.put)."""
        self._send(_dumps(obj))

    def send_bytes(self, buf, offset=0, size=None):
        """Sends bytes from the bytes-like `buf` (from `offset`, `size` of
        them) as one message."""
        view = memoryview(buf).cast("B")
        offset = as_size(offset, "offset", 0, len(view))
        if size is None:
            size = len(view) - offset
        size = as_size(size, "size", 0, len(view) - offset)
        self._send(as_bytes(view[offset:offset + size]))

    def _send(self, data):
        ptr = self._enter()
        try:
            # Never cut into slices: a send that times out half-written
            # loses the message and disables this end.
            rc = lib.mproc_conn_send(ptr, data, len(data), FOREVER)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    # ---- receiving -----------------------------------------------------

    def recv(self):
        """Receives one object; EOFError once the peer closed and every
        message was read."""
        return pickle.loads(self._recv())

    def recv_bytes(self, maxlength=None):
        """Receives one message as bytes. With `maxlength`, a longer
        message raises OSError (and is consumed, as in Python)."""
        if maxlength is not None:
            maxlength = as_size(maxlength, "maxlength")
        data = self._recv()
        if maxlength is not None and len(data) > maxlength:
            raise OSError("bad message length")
        return data

    def recv_bytes_into(self, buf, offset=0):
        """Receives one message into the writable buffer `buf` at `offset`
        and returns its size. If it does not fit, the message is consumed
        and BufferTooShort (multiprocessing.BufferTooShort too) is raised
        with the whole message as args[0], as in multiprocessing."""
        view = memoryview(buf).cast("B")
        if view.readonly:
            raise TypeError("recv_bytes_into() needs a writable buffer")
        offset = as_size(offset, "offset", 0, len(view))
        room = len(view) - offset
        target = (ctypes.c_char * room).from_buffer(view, offset) if room else None
        size = ctypes.c_size_t()
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_conn_recv_into(
                ptr, target, room, ctypes.byref(size), step), FOREVER, _TIMED_OUT)
            if rc == ETOOBIG:
                # The library left the message queued (its contract): take
                # it whole. A receiver in another thread of this process
                # could take it first, as with any two receivers on one end.
                raise _errors.BufferTooShort(self._recv())
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()
            del target
        return size.value

    def _recv(self):
        msg = ctypes.c_void_p()
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_conn_recv(
                ptr, ctypes.byref(msg), step), FOREVER, _TIMED_OUT)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()
        try:
            return message_bytes(msg)
        finally:
            lib.mproc_msg_free(msg)

    def poll(self, timeout=0.0):
        """True if a receive would not block (a message, or the end of the
        stream, is there), waiting up to `timeout` seconds (None: for
        ever)."""
        ms = timeout_ms(timeout)
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_conn_poll(ptr, step), ms,
                            _TIMED_OUT)
            if rc not in (0, ETIMEDOUT):
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return rc == 0

    def fileno(self):
        """The descriptor an event loop can watch (readable when poll()
        would return True). Owned by the connection."""
        fd = ctypes.c_int()
        self._call(lib.mproc_conn_fileno, ctypes.byref(fd))
        return fd.value

    def __repr__(self):
        state = "closed" if self._closing else "open"
        mode = ("r" if self._readable else "") + ("w" if self._writable else "")
        return f"<mproc.Connection {mode} {state}>"


def Pipe(duplex=True):
    """Returns two connected Connections. duplex=False: the first only
    receives and the second only sends, as multiprocessing.Pipe."""
    a = ctypes.c_void_p()
    b = ctypes.c_void_p()
    _errors.check(lib.mproc_conn_pipe(ctypes.byref(a), ctypes.byref(b),
                                 1 if duplex else 0))
    return Connection._wrap(a.value), Connection._wrap(b.value)
