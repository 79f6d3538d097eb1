"""What every wrapper of a C handle shares: a lifetime that is safe under
threads, timeout conversion, interruptible waits and named-object options.
"""
import ctypes
import math
import operator
import threading
import time
import warnings
import weakref

from . import _errors
from ._errors import check as _check
from ._lib import lib

FOREVER = -1

# Long waits are cut into slices this long so that, between slices, Python
# can run signal handlers (Ctrl-C reaches a blocked get()) and a close()
# from another thread is noticed.
_SLICE_MS = 100
# Largest timeout passed to C; more is as good as forever in practice.
_MAX_MS = 2 ** 62


def timeout_ms(timeout, block=True):
    """Python seconds (None = forever) to the C milliseconds convention.

    Rounds up so that a short positive timeout still waits rather than
    becoming 0 (never block). A negative timeout (-1 and -inf included) is
    0, a single attempt, as in multiprocessing (whose SemLock.acquire,
    Connection.poll, Queue.get/put, Event.wait and Process.join treat it so;
    threading.Lock's "-1 is for ever" does not apply). The C ABI keeps
    refusing negative values other than MPROC_FOREVER: this is the Python
    front end's convention, not the library's."""
    if not block:
        return 0
    if timeout is None:
        return FOREVER
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number or None, not "
                        f"{type(timeout).__name__}")
    if math.isnan(timeout):
        raise ValueError("timeout must not be NaN")
    if timeout <= 0:
        return 0
    if math.isinf(timeout):
        return FOREVER
    return min(math.ceil(timeout * 1000), _MAX_MS)


def wait_in_slices(attempt, ms, retry, between=None):
    """attempt(slice_ms) repeated until it returns something other than a
    `retry` code or `ms` (FOREVER: no limit) have passed; between(), if
    given, runs between slices. Returns the last code, unchecked. Slices
    let Python run signal handlers (Ctrl-C) during a long wait."""
    if 0 <= ms <= _SLICE_MS:
        return attempt(ms)
    deadline = None if ms < 0 else time.monotonic() + ms / 1000
    while True:
        step = _SLICE_MS
        if deadline is not None:
            left = math.ceil((deadline - time.monotonic()) * 1000)
            step = max(0, min(step, left))
        rc = attempt(step)
        if rc not in retry:
            return rc
        if deadline is not None and time.monotonic() >= deadline:
            return rc
        if between is not None:
            between()


def query(fn, ptr, ctype):
    """The answer of a C query on a handle, which fills one out-parameter
    of `ctype` and returns a code (mproc/common.h)."""
    out = ctype()
    _check(fn(ptr, ctypes.byref(out)))
    return out.value


def message_bytes(msg):
    """A received message's bytes (the message stays the caller's). On
    every queue get's path: written out rather than through query()."""
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    rc = lib.mproc_msg_data(msg, ctypes.byref(data)) or \
        lib.mproc_msg_size(msg, ctypes.byref(size))
    if rc:
        raise _errors.error_from(rc)
    return ctypes.string_at(data.value, size.value)


def encode_name(name):
    """A shared-object name as the C API wants it."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    if "\0" in name:
        raise ValueError("name must not contain NUL characters")
    return name.encode()


def shared_opts(name, named):
    """mproc_shared_opts_t for (name, named), or None when anonymous. The
    caller frees it with lib.mproc_shared_opts_free."""
    if name is None and not named:
        return None
    opts = ctypes.c_void_p()
    _check(lib.mproc_shared_opts_new(ctypes.byref(opts)))
    try:
        if name is not None:
            _check(lib.mproc_shared_opts_set_name(opts, encode_name(name)))
        else:
            _check(lib.mproc_shared_opts_set_named(opts, 1))
    except BaseException:
        lib.mproc_shared_opts_free(opts)
        raise
    return opts


def as_size(value, what, minimum=0, maximum=2 ** 63 - 1):
    """An int argument checked before it reaches a C size_t or uint32_t
    (ctypes would silently wrap a negative or oversized value)."""
    value = operator.index(value)
    if not minimum <= value <= maximum:
        raise ValueError(f"{what} must be between {minimum} and {maximum}, "
                         f"not {value}")
    return value


def as_bytes(data):
    """`data` as something ctypes passes as a pointer: bytes as they are,
    any other bytes-like object copied (a str is a TypeError)."""
    if type(data) is bytes:
        return data
    return memoryview(data).tobytes()


def _release_handle(free, ptr, what):
    warnings.warn(f"unclosed mproc {what}: call close() or use a with block",
                  ResourceWarning, stacklevel=2)
    free(ptr)


class Handle:
    """Owns one C handle.

    Every call into C goes through _enter()/_leave(), which register the
    call in progress; close() marks the object closed, and whichever of
    close() and the last call in progress comes last frees the handle, so a
    freed handle is never passed to C. The finalizer only catches objects
    that were never closed."""

    _free = None           # the C *_free function of the subclass
    _kind = "object"       # for messages

    def _adopt(self, ptr):
        self._ptr = ptr
        self._box = [ptr]        # emptied by the one and only free
        self._users = []         # one entry per call in progress
        self._closing = False
        self._mu = threading.Lock()
        self._finalizer = weakref.finalize(self, _release_handle, type(self)._free,
                                           ptr, self._kind)
        # At interpreter exit the OS reclaims everything; freeing there
        # would only race the library's own exit handlers.
        self._finalizer.atexit = False

    # No lock on this path (it is every call's): list.append and list.pop
    # are atomic, and a caller appends before reading _closing while close()
    # sets _closing before reading _users, so at least one of the two sees
    # the other; list.pop on _box makes the free happen once.
    def _enter(self):
        self._users.append(None)
        if self._closing:
            self._leave()
            raise _errors.closed_error(self._kind)
        return self._ptr

    def _leave(self):
        users = self._users
        users.pop()
        if self._closing and not users:
            self._free_handle()

    def _free_handle(self):
        try:
            ptr = self._box.pop()
        except IndexError:
            return
        type(self)._free(ptr)

    def _call(self, fn, *args):
        """fn(handle, *args); raises the C error, if any."""
        ptr = self._enter()
        try:
            rc = fn(ptr, *args)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    def _wait(self, attempt, ms, retry):
        """wait_in_slices(attempt, ms, retry), noticing a close() from
        another thread between slices. The caller holds the handle
        (_enter)."""
        return wait_in_slices(attempt, ms, retry, self._check_open)

    def _check_open(self):
        if self._closing:
            raise _errors.closed_error(self._kind)

    @property
    def closed(self):
        """True once close() was called in this process."""
        return self._closing

    def close(self):
        """Releases this process's handle; the shared object lives on in
        other processes. Idempotent. A call blocked in another thread
        stops with ClosedError at its next slice (within about 0.1 s)."""
        with self._mu:
            if self._closing:
                return
            self._finalizer.detach()
            self._closing = True
        if not self._users:
            self._free_handle()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Why pickling is refused, and what to do instead (see __reduce__).
    _pickle_hint = "it belongs to the process that made it"

    def __reduce__(self):
        # A handle is an address in this process, and the descriptors behind
        # it are this process's: a pickled copy would be meaningless (and
        # dangerous) elsewhere. Refusing here also covers Queue.put,
        # Connection.send and the arguments of a spawned process.
        raise TypeError(f"mproc.{type(self).__name__} objects cannot be "
                        f"pickled (as a Queue item, a Connection message or "
                        f"an argument of a process started by spawn or "
                        f"forkserver): {self._pickle_hint}")


class NamedHandle(Handle):
    """A Handle on a shared object that may have a name."""

    _name_fn = None        # the C *_name function of the subclass
    _open_fn = None        # the C *_open function of the subclass

    def _adopt(self, ptr):
        super()._adopt(ptr)
        raw = query(type(self)._name_fn, ptr, ctypes.c_char_p)
        self._name = raw.decode() if raw else None

    @property
    def name(self):
        """The object's name, or None if it is anonymous."""
        return self._name

    def _create(self, new_fn, *args, name=None, named=False):
        """new_fn(&out, *args, opts) with shared options for (name, named)."""
        opts = shared_opts(name, named)
        out = ctypes.c_void_p()
        try:
            _check(new_fn(ctypes.byref(out), *args, opts))
        finally:
            if opts is not None:
                lib.mproc_shared_opts_free(opts)
        self._adopt(out.value)

    @classmethod
    def _open_ptr(cls, name):
        out = ctypes.c_void_p()
        _check(cls._open_fn(ctypes.byref(out), encode_name(name)))
        return out.value

    @classmethod
    def open(cls, name):
        """Opens the named object `name` made by this or another process."""
        self = cls.__new__(cls)
        self._adopt(cls._open_ptr(name))
        return self

    # Attributes of this handle (not of the shared object) a pickled copy
    # keeps, e.g. a Queue's raw mode.
    _pickled_attrs = ()
    _pickle_hint = ("create it with name=... or named=True and it travels "
                    "by its name, or let a child inherit it through fork")

    def __reduce__(self):
        # A named object travels by its name and the receiver opens it
        # again (as multiprocessing's SharedMemory does): the name must
        # still exist then. An anonymous one has nothing to travel by.
        if self._closing:
            raise _errors.closed_error(self._kind)
        if self._name is None:
            raise TypeError(f"an anonymous mproc.{type(self).__name__} cannot "
                            f"be pickled (as a Queue item, a Connection "
                            f"message or an argument of a process started "
                            f"by spawn or forkserver): {self._pickle_hint}")
        attrs = {key: getattr(self, key) for key in self._pickled_attrs}
        return _reopen, (type(self), self._name, attrs)

    def unlink(self):
        """Removes the object's name (see mproc.unlink)."""
        if self._name is None:
            raise ValueError(f"an anonymous {self._kind} has no name to unlink")
        unlink(self._name)

    def __repr__(self):
        state = "closed" if self._closing else (
            f"name={self._name!r}" if self._name else "anonymous")
        return f"<mproc.{type(self).__name__} {state}>"


def _reopen(cls, name, attrs):
    """Unpickles a named object: opens it by name."""
    self = cls.open(name)
    for key, value in attrs.items():
        setattr(self, key, value)
    return self


def unlink(name):
    """Removes a named object's name: processes that have it open keep
    using it, nobody can open it any more, and its memory goes with the
    last user. FileNotFoundError (NameNotFoundError) if there is no such
    name."""
    _check(lib.mproc_unlink(encode_name(name)))
