"""SharedDict and SharedList: a dict and a list in shared memory that
every process uses in place (mproc/shared_containers.h).

Python's Manager().dict() and Manager().list() send every access to a
manager process through a socket; these live in shared memory: a read takes
no lock and makes no system call, and a process killed in the middle of an
update leaves the container whole (the update happened or did not).

Keys and values are bytes (any bytes-like object goes in; bytes come out).
PickledDict and PickledList carry any picklable objects over them.

    d = mproc.SharedDict()            # anonymous: children get it by fork
    d = mproc.SharedDict(name="cfg")  # named: any process may open it
    d[b"tickets"] = b"3"
    len(d), b"tickets" in d, dict(d.items())

Iteration, keys(), values() and items() work on a snapshot taken at one
moment (lists, not live views). A dict's order is not insertion order.
"""
import collections.abc
import ctypes
import pickle
import threading
from ctypes import POINTER, c_char_p, c_int, c_int64, c_size_t, c_void_p

from . import _errors, _lib
from ._errors import MprocError
from ._errors import check as _check
from ._handle import Handle, NamedHandle, as_bytes, as_size, encode_name
from ._lib import lib

_H = c_void_p
_HP = POINTER(c_void_p)
_SZP = POINTER(c_size_t)
_SIGNATURES = {
    "mproc_container_opts_new": (c_int, [_HP]),
    "mproc_container_opts_free": (None, [_H]),
    "mproc_container_opts_set_limit": (c_int, [_H, c_size_t]),
    "mproc_container_opts_set_named": (c_int, [_H, c_int]),
    "mproc_container_opts_set_name": (c_int, [_H, c_char_p]),
    "mproc_items_count": (c_int, [_H, _SZP]),
    "mproc_items_key": (c_int, [_H, c_size_t, POINTER(c_void_p), _SZP]),
    "mproc_items_value": (c_int, [_H, c_size_t, POINTER(c_void_p), _SZP]),
    "mproc_items_free": (None, [_H]),
    "mproc_dict_new": (c_int, [_HP, _H]),
    "mproc_dict_open": (c_int, [_HP, c_char_p]),
    "mproc_dict_set": (c_int, [_H, c_char_p, c_size_t, c_char_p, c_size_t]),
    "mproc_dict_add": (c_int, [_H, c_char_p, c_size_t, c_char_p, c_size_t]),
    "mproc_dict_replace": (c_int, [_H, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p,
                                   c_size_t]),
    "mproc_dict_get_into": (c_int, [_H, c_char_p, c_size_t, c_void_p, c_size_t, _SZP]),
    "mproc_dict_contains": (c_int, [_H, c_char_p, c_size_t, POINTER(c_int)]),
    "mproc_dict_delete": (c_int, [_H, c_char_p, c_size_t]),
    "mproc_dict_pop": (c_int, [_H, c_char_p, c_size_t, _HP]),
    "mproc_dict_len": (c_int, [_H, _SZP]),
    "mproc_dict_clear": (c_int, [_H]),
    "mproc_dict_items": (c_int, [_H, _HP]),
    "mproc_dict_keys": (c_int, [_H, _HP]),
    "mproc_dict_usage": (c_int, [_H, _SZP, _SZP]),
    "mproc_dict_check": (c_int, [_H]),
    "mproc_dict_name": (c_int, [_H, POINTER(c_char_p)]),
    "mproc_dict_free": (None, [_H]),
    "mproc_list_new": (c_int, [_HP, _H]),
    "mproc_list_open": (c_int, [_HP, c_char_p]),
    "mproc_list_append": (c_int, [_H, c_char_p, c_size_t]),
    "mproc_list_insert": (c_int, [_H, c_int64, c_char_p, c_size_t]),
    "mproc_list_set": (c_int, [_H, c_int64, c_char_p, c_size_t]),
    "mproc_list_get_into": (c_int, [_H, c_int64, c_void_p, c_size_t, _SZP]),
    "mproc_list_pop": (c_int, [_H, c_int64, _HP]),
    "mproc_list_len": (c_int, [_H, _SZP]),
    "mproc_list_clear": (c_int, [_H]),
    "mproc_list_items": (c_int, [_H, _HP]),
    "mproc_list_usage": (c_int, [_H, _SZP, _SZP]),
    "mproc_list_check": (c_int, [_H]),
    "mproc_list_name": (c_int, [_H, POINTER(c_char_p)]),
    "mproc_list_free": (None, [_H]),
}
# Declared the way _lib declares every symbol (a missing one fails the
# import with its name).
_lib._SIGNATURES.update(_SIGNATURES)
for _name in _SIGNATURES:
    _lib._declare(lib, _lib.path, _name)


def _own(name, restype, argtypes):
    # lib[name] is a function object of our own: declaring it leaves the
    # one the rest of the binding uses (lib.<name>) alone.
    fn = lib[name]
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


# A popped value comes back as a message.
_msg_data = _own("mproc_msg_data", c_int, [_H, POINTER(c_void_p)])
_msg_size = _own("mproc_msg_size", c_int, [_H, _SZP])

ENOTFOUND = -3006


class ContainerFullError(MprocError, MemoryError):
    """MPROC_EFULL from a SharedDict or SharedList: the update does not fit
    in the limit set at creation. Nothing was changed."""


def _raise(rc, key_error=None, index=None):
    if rc == ENOTFOUND and key_error is not None:
        raise KeyError(key_error)
    if rc == _errors.ERANGE and index is not None:
        raise IndexError(f"index {index} is out of range")
    if rc == _errors.EFULL:
        raise _errors.error_from(rc, ContainerFullError)
    raise _errors.error_from(rc)


def _key(key):
    if isinstance(key, str):
        raise TypeError("keys are bytes: encode the str (or use PickledDict)")
    return as_bytes(key)


def _value(value):
    if isinstance(value, str):
        raise TypeError("values are bytes: encode the str (or use PickledDict/PickledList)")
    return as_bytes(value)


def _index(index):
    if isinstance(index, bool) or not isinstance(index, int):
        try:
            index = index.__index__()
        except AttributeError:
            raise TypeError(f"indices must be integers, not {type(index).__name__}") from None
    # Beyond 64 bits nothing is in range; the C call says so.
    return max(min(index, 2 ** 63 - 1), -2 ** 63)


def _options(limit, name, named):
    opts = c_void_p()
    _check(lib.mproc_container_opts_new(ctypes.byref(opts)))
    try:
        if limit is not None:
            _check(lib.mproc_container_opts_set_limit(opts, as_size(limit, "limit")))
        if name is not None:
            _check(lib.mproc_container_opts_set_name(opts, encode_name(name)))
        elif named:
            _check(lib.mproc_container_opts_set_named(opts, 1))
    except BaseException:
        lib.mproc_container_opts_free(opts)
        raise
    return opts


class _Buffer(threading.local):
    """Each thread's buffer for reads (grown to the largest value seen)."""

    def __init__(self):
        self.buf = ctypes.create_string_buffer(256)


_buffers = _Buffer()


def _read(call):
    """call(buf, cap, &len) into this thread's buffer; the value's bytes,
    or the code of a failure."""
    length = c_size_t()
    while True:
        buf = _buffers.buf
        rc = call(buf, len(buf), ctypes.byref(length))
        if rc == _errors.ETOOBIG:
            _buffers.buf = ctypes.create_string_buffer(max(length.value, 2 * len(buf)))
            continue
        if rc:
            return None, rc
        return buf.raw[:length.value], 0


def _message_bytes(msg):
    data, size = c_void_p(), c_size_t()
    try:
        _check(_msg_data(msg, ctypes.byref(data)))
        _check(_msg_size(msg, ctypes.byref(size)))
        return ctypes.string_at(data.value, size.value) if size.value else b""
    finally:
        lib.mproc_msg_free(msg)


def _snapshot(fn, ptr, keys=True, values=True):
    items = c_void_p()
    _check(fn(ptr, ctypes.byref(items)))
    try:
        count = c_size_t()
        _check(lib.mproc_items_count(items, ctypes.byref(count)))
        data, size = c_void_p(), c_size_t()
        out = []
        for i in range(count.value):
            entry = []
            for wanted, part in ((keys, lib.mproc_items_key), (values, lib.mproc_items_value)):
                if wanted:
                    _check(part(items, i, ctypes.byref(data), ctypes.byref(size)))
                    entry.append(ctypes.string_at(data.value, size.value) if size.value else b"")
            out.append(entry[0] if len(entry) == 1 else tuple(entry))
        return out
    finally:
        lib.mproc_items_free(items)


class _Container(NamedHandle):
    _name_out = None  # the C *_name function (int + out-parameter)

    def _adopt(self, ptr):
        Handle._adopt(self, ptr)
        out = c_char_p()
        _check(type(self)._name_out(ptr, ctypes.byref(out)))
        self._name = out.value.decode() if out.value else None

    def _new(self, new_fn, limit, name, named):
        opts = _options(limit, name, named)
        out = c_void_p()
        try:
            _check(new_fn(ctypes.byref(out), opts))
        finally:
            lib.mproc_container_opts_free(opts)
        self._adopt(out.value)

    def _run(self, fn, *args):
        """fn(handle, *args), its code unchecked."""
        ptr = self._enter()
        try:
            return fn(ptr, *args)
        finally:
            self._leave()

    def usage(self):
        """(bytes in use, the limit set at creation)."""
        used, limit = c_size_t(), c_size_t()
        self._call(type(self)._usage_fn, ctypes.byref(used), ctypes.byref(limit))
        return used.value, limit.value

    def check(self):
        """Walks the whole structure; MprocError (ECORRUPT) if it is
        inconsistent (written by a misbehaving process)."""
        self._call(type(self)._check_fn)


class SharedDict(_Container, collections.abc.MutableMapping):
    """A dict of bytes to bytes in shared memory.

    SharedDict(data=(), *, limit=None, name=None, named=False): `limit`
    is the bytes it may grow to (default 1 GiB of address space; an update
    beyond it raises ContainerFullError and changes nothing); `name` or
    `named` make it openable by other processes (SharedDict.open(name)).
    """

    _free = lib.mproc_dict_free
    _open_fn = lib.mproc_dict_open
    _name_out = lib.mproc_dict_name
    _usage_fn = lib.mproc_dict_usage
    _check_fn = lib.mproc_dict_check
    _kind = "shared dict"

    def __init__(self, data=(), *, limit=None, name=None, named=False):
        self._new(lib.mproc_dict_new, limit, name, named)
        if data:
            self.update(data)

    def __getitem__(self, key):
        k = _key(key)
        value, rc = self._run(lambda ptr: _read(
            lambda buf, cap, n: lib.mproc_dict_get_into(ptr, k, len(k), buf, cap, n)))
        if rc:
            _raise(rc, key_error=key)
        return value

    def __setitem__(self, key, value):
        k, v = _key(key), _value(value)
        rc = self._run(lib.mproc_dict_set, k, len(k), v, len(v))
        if rc:
            _raise(rc)

    def __delitem__(self, key):
        k = _key(key)
        rc = self._run(lib.mproc_dict_delete, k, len(k))
        if rc:
            _raise(rc, key_error=key)

    def __contains__(self, key):
        try:
            k = _key(key)
        except TypeError:
            return False
        found = c_int()
        self._call(lib.mproc_dict_contains, k, len(k), ctypes.byref(found))
        return bool(found.value)

    def __len__(self):
        n = c_size_t()
        self._call(lib.mproc_dict_len, ctypes.byref(n))
        return n.value

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        """The keys, a snapshot (a list)."""
        return self._run(lambda ptr: _snapshot(lib.mproc_dict_keys, ptr, values=False))

    def items(self):
        """(key, value) pairs, a snapshot taken at one moment (a list)."""
        return self._run(lambda ptr: _snapshot(lib.mproc_dict_items, ptr))

    def values(self):
        """The values, a snapshot (a list)."""
        return [v for _, v in self.items()]

    def copy(self):
        """A plain dict of a snapshot."""
        return dict(self.items())

    _MISSING = object()

    def pop(self, key, default=_MISSING):
        """Deletes `key` and returns its value, in one step."""
        k = _key(key)
        msg = c_void_p()
        rc = self._run(lib.mproc_dict_pop, k, len(k), ctypes.byref(msg))
        if rc == ENOTFOUND and default is not SharedDict._MISSING:
            return default
        if rc:
            _raise(rc, key_error=key)
        return _message_bytes(msg)

    def popitem(self):
        for key in self.keys():
            try:
                return key, self.pop(key)
            except KeyError:
                continue  # deleted meanwhile by another process
        raise KeyError("popitem(): dictionary is empty")

    def setdefault(self, key, default=b""):
        """The value of `key`, set to `default` first if absent (the set
        happens only if no other process set it first)."""
        k, v = _key(key), _value(default)
        rc = self._run(lib.mproc_dict_add, k, len(k), v, len(v))
        if rc == 0:
            return bytes(v)
        if rc != _errors.EEXIST:
            _raise(rc)
        return self[key]

    def replace(self, key, expected, value):
        """Sets `key` to `value` if its value is `expected` now (an atomic
        compare-and-set): True if it did, False if the value differs;
        KeyError for a missing key."""
        k, e, v = _key(key), _value(expected), _value(value)
        rc = self._run(lib.mproc_dict_replace, k, len(k), e, len(e), v, len(v))
        if rc == _errors.ESTATE:
            return False
        if rc:
            _raise(rc, key_error=key)
        return True

    def clear(self):
        """Deletes every entry at once (for readers)."""
        self._call(lib.mproc_dict_clear)

    def __repr__(self):
        if self.closed:
            return "<mproc.SharedDict closed>"
        where = f"name={self.name!r}" if self.name else "anonymous"
        return f"<mproc.SharedDict {where} len={len(self)}>"


class SharedList(_Container, collections.abc.MutableSequence):
    """A list of bytes in shared memory, with Python's indexes (negative
    ones count from the end, resolved atomically: pop() takes the last
    element even while others append).

    SharedList(data=(), *, limit=None, name=None, named=False), as
    SharedDict. Slices read a snapshot; assigning or deleting slices is not
    supported."""

    _free = lib.mproc_list_free
    _open_fn = lib.mproc_list_open
    _name_out = lib.mproc_list_name
    _usage_fn = lib.mproc_list_usage
    _check_fn = lib.mproc_list_check
    _kind = "shared list"

    def __init__(self, data=(), *, limit=None, name=None, named=False):
        self._new(lib.mproc_list_new, limit, name, named)
        for item in data:
            self.append(item)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.snapshot()[index]
        i = _index(index)
        value, rc = self._run(lambda ptr: _read(
            lambda buf, cap, n: lib.mproc_list_get_into(ptr, i, buf, cap, n)))
        if rc:
            _raise(rc, index=index)
        return value

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            raise TypeError("a SharedList does not assign slices")
        v = _value(value)
        rc = self._run(lib.mproc_list_set, _index(index), v, len(v))
        if rc:
            _raise(rc, index=index)

    def __delitem__(self, index):
        if isinstance(index, slice):
            raise TypeError("a SharedList does not delete slices")
        rc = self._run(lib.mproc_list_pop, _index(index), None)
        if rc:
            _raise(rc, index=index)

    def __len__(self):
        n = c_size_t()
        self._call(lib.mproc_list_len, ctypes.byref(n))
        return n.value

    def __iter__(self):
        return iter(self.snapshot())

    def __reversed__(self):
        return reversed(self.snapshot())

    def snapshot(self):
        """The elements at one moment, as a list of bytes."""
        return self._run(lambda ptr: _snapshot(lib.mproc_list_items, ptr, keys=False))

    def insert(self, index, value):
        v = _value(value)
        rc = self._run(lib.mproc_list_insert, _index(index), v, len(v))
        if rc:
            _raise(rc)

    def append(self, value):
        v = _value(value)
        rc = self._run(lib.mproc_list_append, v, len(v))
        if rc:
            _raise(rc)

    def pop(self, index=-1):
        """Removes and returns element `index` in one step."""
        msg = c_void_p()
        rc = self._run(lib.mproc_list_pop, _index(index), ctypes.byref(msg))
        if rc == _errors.ERANGE:
            raise IndexError("pop from empty list" if index == -1 else
                             f"pop index {index} out of range")
        if rc:
            _raise(rc)
        return _message_bytes(msg)

    def clear(self):
        self._call(lib.mproc_list_clear)

    def __eq__(self, other):
        if isinstance(other, (SharedList, list)):
            return self.snapshot() == list(other)
        return NotImplemented

    def __repr__(self):
        if self.closed:
            return "<mproc.SharedList closed>"
        where = f"name={self.name!r}" if self.name else "anonymous"
        return f"<mproc.SharedList {where} len={len(self)}>"


# ---- The pickling wrappers ------------------------------------------------------


def _dumps(obj):
    return pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)


class _Wrapper:
    """What both wrappers share: the container they wrap, closed with
    them."""

    def close(self):
        """Releases the wrapped container's handle (see Handle.close)."""
        self.shared.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<mproc.{type(self).__name__} over {self.shared!r}>"


class PickledDict(_Wrapper, collections.abc.MutableMapping):
    """Any picklable keys and values over a SharedDict (opt-in: pickling
    runs code on load; use it only between processes that trust each
    other, as with multiprocessing).

    PickledDict(shared=None, data=(), **options): wraps `shared`, or a new
    SharedDict made with `options`. Keys are compared by their pickled
    bytes: 1 and 1.0 are different keys here, unlike in a dict."""

    def __init__(self, shared=None, data=(), **options):
        self.shared = shared if shared is not None else SharedDict(**options)
        if data:
            self.update(data)

    def __getitem__(self, key):
        try:
            return pickle.loads(self.shared[_dumps(key)])
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key, value):
        self.shared[_dumps(key)] = _dumps(value)

    def __delitem__(self, key):
        try:
            del self.shared[_dumps(key)]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key):
        return _dumps(key) in self.shared

    def __len__(self):
        return len(self.shared)

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        return [pickle.loads(k) for k in self.shared.keys()]

    def items(self):
        return [(pickle.loads(k), pickle.loads(v)) for k, v in self.shared.items()]

    def values(self):
        return [pickle.loads(v) for _, v in self.shared.items()]

    _MISSING = object()

    def pop(self, key, default=_MISSING):
        k = _dumps(key)
        if default is PickledDict._MISSING:
            try:
                return pickle.loads(self.shared.pop(k))
            except KeyError:
                raise KeyError(key) from None
        value = self.shared.pop(k, None)
        return default if value is None else pickle.loads(value)

    def setdefault(self, key, default=None):
        return pickle.loads(self.shared.setdefault(_dumps(key), _dumps(default)))

    def replace(self, key, expected, value):
        """Compare-and-set on the pickled bytes (see SharedDict.replace)."""
        return self.shared.replace(_dumps(key), _dumps(expected), _dumps(value))

    def clear(self):
        self.shared.clear()



class PickledList(_Wrapper, collections.abc.MutableSequence):
    """Any picklable elements over a SharedList (opt-in, as PickledDict)."""

    def __init__(self, shared=None, data=(), **options):
        self.shared = shared if shared is not None else SharedList(**options)
        for item in data:
            self.append(item)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [pickle.loads(v) for v in self.shared[index]]
        return pickle.loads(self.shared[index])

    def __setitem__(self, index, value):
        self.shared[index] = _dumps(value)

    def __delitem__(self, index):
        del self.shared[index]

    def __len__(self):
        return len(self.shared)

    def __iter__(self):
        return iter([pickle.loads(v) for v in self.shared.snapshot()])

    def insert(self, index, value):
        self.shared.insert(index, _dumps(value))

    def append(self, value):
        self.shared.append(_dumps(value))

    def pop(self, index=-1):
        return pickle.loads(self.shared.pop(index))

    def clear(self):
        self.shared.clear()
