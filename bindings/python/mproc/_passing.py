"""mproc objects as arguments of a Process: they travel beside the pickle.

Pickling a Process for its child, every mproc object met on the way (a
Lock, a Queue, a SharedMemory, a Value...) is added to the child's C
argument list with mproc_args_add_<kind> -- as a descriptor, so it need not
be named -- and the pickle keeps only its place in that list. The child's
unpickler takes the handle back from the list. Anonymous objects thus reach
a spawned child as they do a forked one, and nothing is left in /dev/shm.
"""
import ctypes
import io
import pickle

from ._errors import check
from ._lib import lib


def _kinds():
    from .connection import Connection
    from .queues import JoinableQueue, Queue
    from .shared_memory import SharedMemory
    from .synchronize import (Barrier, BoundedSemaphore, Condition, Event, Lock,
                              RLock, Semaphore)
    # Exact classes: a subclass may hold state its handle does not.
    return {
        Lock: "lock", RLock: "rlock", Semaphore: "sem", BoundedSemaphore: "sem",
        Event: "event", Condition: "cond", Barrier: "barrier", Queue: "queue",
        JoinableQueue: "queue", SharedMemory: "shm", Connection: "conn",
    }


class _Pickler(pickle.Pickler):
    def __init__(self, file, args, first_index):
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._args = args
        self._next = first_index
        self._kinds = _kinds()

    def persistent_id(self, obj):
        kind = self._kinds.get(type(obj))
        if kind is None:
            return None
        ptr = obj._enter()
        try:
            check(getattr(lib, f"mproc_args_add_{kind}")(self._args, ptr))
        finally:
            obj._leave()
        index = self._next
        self._next += 1
        attrs = {key: getattr(obj, key) for key in getattr(obj, "_pickled_attrs", ())}
        return ("mproc", type(obj).__module__, type(obj).__qualname__, kind, index, attrs)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, args):
        super().__init__(file)
        self._args = args

    def persistent_load(self, pid):
        _, module, qualname, kind, index, attrs = pid
        import importlib
        cls = getattr(importlib.import_module(module), qualname)
        out = ctypes.c_void_p()
        check(getattr(lib, f"mproc_args_get_{kind}")(self._args, index, ctypes.byref(out)))
        if kind == "conn":
            obj = cls._wrap(out.value)
        else:
            obj = cls.__new__(cls)
            obj._adopt(out.value)
            if kind == "shm":
                obj._map()
        for key, value in attrs.items():
            setattr(obj, key, value)
        return obj


def dumps(obj, args, first_index):
    """Pickles `obj`, adding the mproc objects in it to the C list `args`
    from index `first_index` on."""
    buf = io.BytesIO()
    _Pickler(buf, args, first_index).dump(obj)
    return buf.getvalue()


def loads(data, args):
    """Unpickles what dumps() made, taking its objects from `args`."""
    return _Unpickler(io.BytesIO(data), args).load()
