"""The pickler behind Queue.put and Connection.send: multiprocessing's.

Plain pickle turns an object that holds a descriptor (a
multiprocessing.connection.Connection, a socket) into its bare number,
which in the receiver names some unrelated descriptor of its own: using
the copy fails with EBADF and dropping it closes the receiver's
descriptor. multiprocessing pickles with ForkingPickler's reducers, which
hand the descriptor itself over (SCM_RIGHTS, through the sender's
resource sharer) so that the copy arrives working; mproc does the same.
mproc's own objects need nothing from here: their __reduce__ sends named
ones by name and refuses the others (see _handle.Handle.__reduce__).

ForkingPickler.dumps copies copyreg's table for every call (some 5 us),
and any dispatch_table makes each object of a class without a reducer
raise and catch a KeyError; these picklers ask multiprocessing's reducers
in reducer_override instead (a dict lookup, after the fast paths for
built-in types) and are reused, one pool per thread (a signal handler may
put while its thread is mid-put).
"""
import pickle
import threading

# Importing these registers their reducers (Connection, socket, ...) with
# ForkingPickler, as it would in any program that made a multiprocessing
# Connection: that program has imported them already.
import multiprocessing.connection  # noqa: F401
from multiprocessing.reduction import ForkingPickler

_PROTOCOL = pickle.HIGHEST_PROTOCOL
# Filled in place by multiprocessing.reduction.register(), so reducers
# registered later count too.
_REDUCERS = getattr(ForkingPickler, "_extra_reducers", {})


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj, _find=_REDUCERS.get):
        reduce = _find(type(obj))
        return NotImplemented if reduce is None else reduce(obj)


class _Sink:
    """The pickler's file: keeps what it is given (one write for a small
    object, more when large buffers are written out of line)."""

    def __init__(self):
        self.parts = []
        self.write = self.parts.append


def _new():
    sink = _Sink()
    return _Pickler(sink, _PROTOCOL), sink.parts


class _Pool(threading.local):
    def __init__(self):
        self.free = []


_pool = _Pool()


def dumps(obj):
    """pickle.dumps(obj, HIGHEST_PROTOCOL) with multiprocessing's reducers."""
    free = _pool.free
    pickler, parts = free.pop() if free else _new()
    try:
        pickler.dump(obj)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        # The memo holds references to what was pickled and would make the
        # next dump refer back into this one.
        parts.clear()
        pickler.clear_memo()
        free.append((pickler, parts))
