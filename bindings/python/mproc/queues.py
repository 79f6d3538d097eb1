"""Queue and JoinableQueue over mproc's shared-memory queues.

Objects are pickled by default; a queue made with raw=True carries bytes
unchanged, which is what a producer or consumer written in another
language sees. put_bytes()/get_bytes() skip pickling on any queue.
"""
import ctypes
import operator
import pickle
import threading

from . import _errors
from ._errors import check as _check
from ._handle import (NamedHandle, as_bytes, as_size, encode_name,
                      message_bytes, timeout_ms)
from ._lib import lib
from ._pickling import dumps as _dumps

# Messages up to this size are received into a reusable per-thread buffer
# with one C call; larger ones come as a library-owned message.
_SCRATCH_BYTES = 64 * 1024
_GET_RETRY = (_errors.EEMPTY,)
_PUT_RETRY = (_errors.EFULL,)
_EEMPTY = _errors.EEMPTY
_EFULL = _errors.EFULL
_queue_put = lib.mproc_queue_put
_queue_get_into = lib.mproc_queue_get_into


class _Scratch(threading.local):
    def __init__(self):
        # A pool rather than a single buffer: a signal handler running
        # between a receive and its copy-out may itself call get().
        self.free = []


def _new_scratch():
    buf = ctypes.create_string_buffer(_SCRATCH_BYTES)
    size = ctypes.c_size_t()
    return buf, memoryview(buf).cast("B"), size, ctypes.byref(size)


_scratch = _Scratch()


def _take_message(msg):
    try:
        return message_bytes(msg)
    finally:
        lib.mproc_msg_free(msg)


class Queue(NamedHandle):
    """A process-shared FIFO queue (multiprocessing.Queue).

    maxsize: most items held, 0 or less for no limit. capacity: bytes of
    ring (default 1 GiB of address space, paid for only as used); a
    message may be at most about half of it (see max_message). name / named=True: make it
    openable by other processes through Queue.open(name). raw: put() and
    get() carry bytes unchanged instead of pickled objects."""

    _free = lib.mproc_queue_free
    _name_fn = lib.mproc_queue_name
    _open_fn = lib.mproc_queue_open
    _kind = "queue"
    _pickled_attrs = ("_raw",)

    def __init__(self, maxsize=0, *, capacity=None, name=None, named=False,
                 raw=False):
        maxsize = max(0, operator.index(maxsize))
        as_size(maxsize, "maxsize")
        opts = ctypes.c_void_p()
        _check(lib.mproc_queue_opts_new(ctypes.byref(opts)))
        try:
            _check(lib.mproc_queue_opts_set_maxsize(opts, maxsize))
            if capacity is not None:
                _check(lib.mproc_queue_opts_set_capacity(
                    opts, as_size(capacity, "capacity", minimum=1)))
            if name is not None:
                _check(lib.mproc_queue_opts_set_name(opts, encode_name(name)))
            elif named:
                _check(lib.mproc_queue_opts_set_named(opts, 1))
            out = ctypes.c_void_p()
            _check(lib.mproc_queue_new(ctypes.byref(out), opts))
        finally:
            lib.mproc_queue_opts_free(opts)
        self._adopt(out.value)
        self._raw = bool(raw)

    @classmethod
    def open(cls, name, *, raw=False):
        """Opens the named queue `name` (made by any process, in any
        language). raw as for the constructor."""
        self = super().open(name)
        self._raw = bool(raw)
        return self

    # ---- putting ---------------------------------------------------------

    def put(self, obj, block=True, timeout=None):
        """Puts `obj` (pickled, or bytes-like when raw), waiting up to
        `timeout` seconds for room; queue.Full if there is none. Pickled
        as multiprocessing does: a multiprocessing Connection or a socket
        arrives working, named mproc objects travel by name, and mproc
        objects that can not (anonymous ones, Connections) raise
        TypeError."""
        data = as_bytes(obj) if self._raw else _dumps(obj)
        self._put(data, -1 if timeout is None and block else
                  timeout_ms(timeout, block))

    def put_nowait(self, obj):
        self.put(obj, False)

    def put_bytes(self, data, block=True, timeout=None):
        """Puts the bytes-like `data` as it is, whatever the queue's mode."""
        self._put(as_bytes(data), timeout_ms(timeout, block))

    def _put(self, data, ms):
        ptr = self._enter()
        try:
            n = len(data)
            # A non-blocking attempt first: when there is room (the usual
            # case) the call costs one C call and no closure.
            rc = _queue_put(ptr, data, n, 0)
            if rc == _EFULL and ms:
                rc = self._wait(lambda step: _queue_put(ptr, data, n, step),
                                ms, _PUT_RETRY)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    # ---- getting ---------------------------------------------------------

    def get(self, block=True, timeout=None):
        """Removes and returns the oldest item, waiting up to `timeout`
        seconds; queue.Empty if none came. After shutdown(), returns what
        is left, then raises ClosedError."""
        data = self._get(-1 if timeout is None and block else
                         timeout_ms(timeout, block))
        return data if self._raw else pickle.loads(data)

    def get_nowait(self):
        return self.get(False)

    def get_bytes(self, block=True, timeout=None):
        """Returns the oldest message's bytes as they are."""
        return self._get(timeout_ms(timeout, block))

    def _get(self, ms):
        pool = _scratch.free
        scratch = pool.pop() if pool else _new_scratch()
        buf, view, size, ref = scratch
        ptr = self._enter()
        try:
            rc = _queue_get_into(ptr, buf, _SCRATCH_BYTES, ref, 0)
            if rc == _EEMPTY and ms:
                rc = self._wait(lambda step: _queue_get_into(
                    ptr, buf, _SCRATCH_BYTES, ref, step), ms, _GET_RETRY)
            if rc == 0:
                return view[:size.value].tobytes()
            if rc == _errors.ETOOBIG:
                rc, data = self._get_large(ptr, ms)
                if rc == 0:
                    return data
            raise _errors.error_from(rc)
        finally:
            self._leave()
            pool.append(scratch)

    def _get_large(self, ptr, ms):
        # The big message stays queued; take whatever is oldest now
        # (another consumer may have taken that one meanwhile).
        msg = ctypes.c_void_p()
        ref = ctypes.byref(msg)
        rc = lib.mproc_queue_get(ptr, ref, 0)
        if rc == _EEMPTY and ms:
            rc = self._wait(lambda step: lib.mproc_queue_get(ptr, ref, step),
                            ms, _GET_RETRY)
        return rc, (_take_message(msg.value) if rc == 0 else None)

    # ---- state -------------------------------------------------------------

    def _size_query(self, fn):
        value = ctypes.c_size_t()
        self._call(fn, ctypes.byref(value))
        return value.value

    def _flag_query(self, fn):
        value = ctypes.c_int()
        self._call(fn, ctypes.byref(value))
        return bool(value.value)

    def qsize(self):
        """Items queued now (approximate while others put or get)."""
        return self._size_query(lib.mproc_queue_qsize)

    def empty(self):
        return self._flag_query(lib.mproc_queue_empty)

    def full(self):
        return self._flag_query(lib.mproc_queue_full)

    @property
    def maxsize(self):
        return self._size_query(lib.mproc_queue_maxsize)

    @property
    def capacity(self):
        """Bytes of ring (the requested capacity rounded up)."""
        return self._size_query(lib.mproc_queue_capacity)

    @property
    def max_message(self):
        """The largest message (after pickling) that put() accepts."""
        return self._size_query(lib.mproc_queue_max_message)

    @property
    def raw(self):
        return self._raw

    def shutdown(self):
        """Closes the queue for every process (unlike close(), which only
        drops this handle): puts raise ClosedError, gets return what is
        queued and then raise ClosedError, and every blocked put, get and
        join wakes up. As queue.Queue.shutdown() in Python 3.13."""
        self._call(lib.mproc_queue_close)

    @property
    def is_shutdown(self):
        return self._flag_query(lib.mproc_queue_is_closed)

    def join_thread(self):
        """Nothing to do: there is no feeder thread (multiprocessing
        compatibility)."""

    def cancel_join_thread(self):
        """Nothing to do: there is no feeder thread (multiprocessing
        compatibility)."""


class JoinableQueue(Queue):
    """A Queue whose consumers report finished items (task_done) and whose
    producers can wait for them all (join)."""

    def task_done(self):
        """Marks one item taken by get() (in any process) as processed.
        ValueError if called more times than items were taken."""
        ptr = self._enter()
        try:
            rc = lib.mproc_queue_task_done(ptr)
            if rc == _errors.ESTATE:
                raise _errors.error_from(rc, _errors.ReleasedTooManyTimesError)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    def join(self, timeout=None):
        """Waits until every item ever put was marked done. Returns True, or
        False if `timeout` seconds passed first."""
        ms = timeout_ms(timeout)
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_queue_join(ptr, step), ms,
                            (_errors.ETIMEDOUT,))
        finally:
            self._leave()
        if rc == _errors.ETIMEDOUT:
            return False
        _check(rc)
        return True
