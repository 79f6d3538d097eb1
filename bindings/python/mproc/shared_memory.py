"""SharedMemory: a block of bytes shared between processes
(multiprocessing.shared_memory.SharedMemory), with a lock of its own.
"""
import ctypes
import sys
import weakref

from ._errors import closed_error
from ._handle import NamedHandle, _release_handle, as_size, query
from ._lib import lib
from .synchronize import Lock


class SharedMemory(NamedHandle):
    """A zero-filled block of `size` bytes every process that has it sees
    at once, exposed as the memoryview .buf.

    SharedMemory(size=N) creates an anonymous block (it reaches other
    processes only through fork); add named=True for a generated name, or
    name="..." for a chosen one. SharedMemory(name) opens an existing named
    block, as in Python. Unlike Python's, an anonymous block leaves nothing
    in /dev/shm; a named one stays until unlink().

    .buf stays valid until close(). close() refuses (BufferError, as
    Python's) while views taken from .buf are alive, so that no view ever
    points at unmapped memory; if the object is dropped unclosed, the
    mapping lives as long as the last such view."""

    _free = lib.mproc_shm_free
    _name_fn = lib.mproc_shm_name
    _open_fn = lib.mproc_shm_open
    _kind = "shared memory block"

    def __init__(self, name=None, create=None, size=0, *, named=False):
        if create is None:
            create = name is None
        if create:
            size = as_size(size, "size", minimum=1)
            self._create(lib.mproc_shm_new, size, name=name, named=named)
        elif name is None:
            raise ValueError("'name' can only be None if create=True")
        else:
            self._adopt(self._open_ptr(name))
        self._map()

    @classmethod
    def open(cls, name):
        """Opens the named block `name`."""
        return cls(name, create=False)

    def _map(self):
        ptr = self._ptr
        self._size = query(lib.mproc_shm_size, ptr, ctypes.c_size_t)
        data = query(lib.mproc_shm_data, ptr, ctypes.c_void_p)
        array = (ctypes.c_char * self._size).from_address(data)
        # The handle is freed when the array goes, and every view of .buf
        # keeps the array alive: memory is never unmapped under a view.
        self._finalizer.detach()
        self._finalizer = weakref.finalize(array, _release_handle, type(self)._free,
                                           ptr, self._kind)
        self._finalizer.atexit = False
        self._array = array
        self._buf = memoryview(array).cast("B")
        self._lock = None

    @property
    def buf(self):
        """A writable memoryview of the block's bytes."""
        if self._closing:
            raise closed_error(self._kind)
        return self._buf

    @property
    def size(self):
        """The size asked for at creation."""
        return self._size

    def lock(self):
        """The block's own lock (the same in every process that has the
        block): guard multi-byte updates with `with shm.lock():`. Closed
        with the block."""
        with self._mu:
            lock = self._lock
        if lock is not None:
            return lock
        out = ctypes.c_void_p()
        self._call(lib.mproc_shm_lock, ctypes.byref(out))
        lock = Lock.__new__(Lock)
        lock._adopt(out.value)
        lock._pickle_hint = ("it is a SharedMemory block's lock: send the "
                             "block (a named one) and call its lock() there")
        with self._mu:
            if self._lock is None:
                self._lock, lock = lock, None
        if lock is not None:       # another thread won the race
            lock.close()
        return self._lock

    def close(self):
        """Unmaps the block in this process (others keep it). BufferError
        while views of .buf other than .buf itself exist."""
        with self._mu:
            if self._closing:
                return
            try:
                self._buf.release()
            except BufferError:
                raise BufferError(
                    "cannot close SharedMemory: a buffer exported from .buf "
                    "is still in use (release it first)") from None
            # Only this object and getrefcount's argument may refer to the
            # array now; more means slices of .buf are still alive.
            if sys.getrefcount(self._array) > 2:
                self._buf = memoryview(self._array).cast("B")
                raise BufferError(
                    "cannot close SharedMemory: views of .buf are still "
                    "alive (release or delete them first)")
            lock = self._lock
        if lock is not None:
            lock.close()
        super().close()
        self._array = None

    def __repr__(self):
        return f"<mproc.SharedMemory name={self._name!r} size={self._size}>"
