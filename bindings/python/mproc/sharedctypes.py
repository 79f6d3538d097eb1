"""Value and Array: ctypes objects in a shared block (multiprocessing's
Value/Array), guarded by the block's own lock.

The block is an mproc SharedMemory (anonymous unless named) and the lock an
mproc RLock (as multiprocessing's default): given to a mproc.Process as
an argument, both reach the child as themselves (descriptors beside the
pickle).
"""
import ctypes
from multiprocessing.sharedctypes import typecode_to_type

from .shared_memory import SharedMemory
from .synchronize import RLock


def _ctype(typecode_or_type):
    if isinstance(typecode_or_type, str):
        try:
            return typecode_to_type[typecode_or_type]
        except KeyError:
            raise ValueError(f"unknown typecode {typecode_or_type!r}") from None
    return typecode_or_type


class _Shared:
    """What Value and Array share: the block, the ctypes view, the lock
    (used as a context manager, and by get_lock())."""

    def __init__(self, shm, ctype, lock):
        self._shm = shm
        self._ctype = ctype
        self._obj = ctype.from_buffer(shm.buf)
        # As multiprocessing: True or None make an RLock, False none.
        self._lock = RLock() if lock is True or lock is None else (lock or None)

    def get_obj(self):
        """The ctypes object itself (no locking)."""
        return self._obj

    def get_lock(self):
        """The lock guarding it (the block's own lock by default)."""
        if self._lock is None:
            raise AttributeError("this shared object was made with lock=False")
        return self._lock

    def acquire(self, *args, **kwargs):
        return self.get_lock().acquire(*args, **kwargs)

    def release(self):
        return self.get_lock().release()

    def __enter__(self):
        return self.get_lock().__enter__()

    def __exit__(self, *exc):
        return self.get_lock().__exit__(*exc)

    def _locked(self):
        return self._lock if self._lock is not None else _NoLock

    def __reduce__(self):
        # The block and the lock travel as themselves when the pickle is a
        # Process's (mproc._passing); elsewhere an anonymous one refuses.
        # An array type is made on the fly: it travels as (item type, length).
        ctype = self._ctype
        spec = (ctype._type_, ctype._length_) if issubclass(ctype, ctypes.Array) else ctype
        return _rebuild, (type(self), self._shm, spec, self._lock or False)

    def close(self):
        """Unmaps the block in this process (and closes the lock)."""
        self._obj = None
        self._shm.close()
        if self._lock is not None and hasattr(self._lock, "close"):
            self._lock.close()


def _check_lock(lock):
    """As multiprocessing: a lock argument other than True, None or False
    must have acquire() (checked before the block is made)."""
    if lock not in (True, None, False) and not hasattr(lock, "acquire"):
        raise AttributeError(f"{lock!r} has no method 'acquire'")


def _rebuild(cls, shm, spec, lock):
    ctype = spec[0] * spec[1] if isinstance(spec, tuple) else spec
    self = cls.__new__(cls)
    _Shared.__init__(self, shm, ctype, lock)
    return self


class _NoLockType:
    def __enter__(self):
        return True

    def __exit__(self, *exc):
        return False


_NoLock = _NoLockType()


class SynchronizedValue(_Shared):
    """Value's result: .value read and written under the lock."""

    @property
    def value(self):
        with self._locked():
            return self._obj.value

    @value.setter
    def value(self, v):
        with self._locked():
            self._obj.value = v

    def __repr__(self):
        return f"<mproc.Value({self._ctype.__name__}, {self._obj.value!r})>"


class SynchronizedArray(_Shared):
    """Array's result: indexing, slicing and len() under the lock."""

    def __len__(self):
        return len(self._obj)

    def __getitem__(self, i):
        with self._locked():
            return self._obj[i]

    def __setitem__(self, i, v):
        with self._locked():
            self._obj[i] = v

    def __iter__(self):
        with self._locked():
            return iter(self._obj[:])

    @property
    def value(self):
        """For arrays of c_char: the bytes up to the first NUL."""
        with self._locked():
            return self._obj.value

    @property
    def raw(self):
        with self._locked():
            return self._obj.raw

    def __repr__(self):
        return f"<mproc.Array({self._ctype._type_.__name__}, {self._obj[:]!r})>"


def Value(typecode_or_type, *args, lock=True, name=None, named=False):
    """A shared ctypes value, as multiprocessing.Value. lock=True: guarded
    by a new RLock; lock=False: no lock; or the lock to use. name/named as
    for SharedMemory (the block's name)."""
    ctype = _ctype(typecode_or_type)
    _check_lock(lock)
    shm = SharedMemory(size=ctypes.sizeof(ctype), name=name, named=named)
    value = SynchronizedValue(shm, ctype, lock)
    if args:
        value.get_obj().__init__(*args)
    return value


def RawValue(typecode_or_type, *args):
    return Value(typecode_or_type, *args, lock=False)


def Array(typecode_or_type, size_or_initializer, *, lock=True, name=None, named=False):
    """A shared ctypes array, as multiprocessing.Array: of `size` zeroes,
    or holding the items of a sequence."""
    ctype = _ctype(typecode_or_type)
    _check_lock(lock)
    if isinstance(size_or_initializer, int):
        items, size = None, size_or_initializer
    else:
        items = list(size_or_initializer)
        size = len(items)
    array_type = ctype * size
    shm = SharedMemory(size=max(1, ctypes.sizeof(array_type)), name=name, named=named)
    array = SynchronizedArray(shm, array_type, lock)
    if items:
        array.get_obj()[:] = items
    return array


def RawArray(typecode_or_type, size_or_initializer):
    return Array(typecode_or_type, size_or_initializer, lock=False)
