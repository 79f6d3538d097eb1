"""Pipe() and Connection over mproc connections (multiprocessing.Pipe).

send()/recv() carry pickled objects, send_bytes()/recv_bytes() raw bytes;
the two may be mixed as long as both ends agree on what each message is.
"""
import ctypes
import os
import pickle
import sys
from multiprocessing import reduction

from . import _errors
from ._errors import ETIMEDOUT, ETOOBIG
from ._handle import (FOREVER, Handle, as_bytes, as_size, message_bytes, query,
                      timeout_ms)
from ._lib import lib
from ._pickling import dumps as _dumps

_TIMED_OUT = (ETIMEDOUT,)


class Connection(Handle):
    """One end of a Pipe. Messages arrive whole and in order. A Connection
    travels as multiprocessing's own does: its descriptor is handed over
    when multiprocessing pickles it (a process started by spawn or
    forkserver, a Queue item, a Connection message), not by plain
    pickle."""

    _free = lib.mproc_conn_free
    _kind = "connection"

    def __reduce__(self):
        # Only plain pickle gets here: multiprocessing's pickler (and
        # mproc's, see _pickling) asks the reducer registered below first.
        # A bare descriptor number would name nothing in the receiver.
        raise TypeError("an mproc.Connection cannot be pickled by plain "
                        "pickle (it has no name to be opened by): "
                        "multiprocessing's pickler hands its descriptor over "
                        "(the arguments of a multiprocessing process started "
                        "by spawn or forkserver, a Queue item, a Connection "
                        "message), and a fork child inherits it")

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


def _reduce_connection(conn):
    # As multiprocessing's reduce_connection: reduction.DupFd gives the child
    # being started (spawn or forkserver) a copy of the descriptor, or else
    # lends one through this process's resource sharer to whoever unpickles
    # (which must happen while this process runs, and once).
    return _rebuild_connection, (reduction.DupFd(conn.fileno()),
                                 conn.readable, conn.writable)


def _rebuild_connection(dup, readable, writable):
    fd = dup.detach()
    out = ctypes.c_void_p()
    rc = lib.mproc_conn_from_fd(ctypes.byref(out), fd, int(readable),
                                int(writable))
    if rc:
        os.close(fd)  # still ours: the library takes it only on success
        raise _errors.error_from(rc)
    return Connection._wrap(out.value)


# multiprocessing passes descriptors on Windows as handles (DupHandle), and
# mproc's connections there are named pipes it cannot adopt: a Connection
# stays unpicklable there.
if sys.platform != "win32":
    reduction.register(Connection, _reduce_connection)


def Pipe(duplex=True):
    """Returns two connected Connections. duplex=False: the first only
    receives and the second only sends, as multiprocessing.Pipe."""
    a = ctypes.c_void_p()
    b = ctypes.c_void_p()
    _errors.check(lib.mproc_conn_pipe(ctypes.byref(a), ctypes.byref(b),
                                 1 if duplex else 0))
    return Connection._wrap(a.value), Connection._wrap(b.value)
