"""Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier
over mproc's process-shared objects (multiprocessing.synchronize).

Each is anonymous by default (it then reaches other processes only by
inheritance through fork); name="..." or named=True makes it openable
elsewhere with Cls.open(name). As in Python, `with lock:` (also Semaphore
and Condition) acquires and releases, so `with Lock.open(name) as l:`
holds the lock for the whole block: use contextlib.closing(lock) to close
one by `with`. Event and Barrier use `with` for close().

Owner death: locks are owned by a thread. If the holder dies (its thread
or its whole process) while holding the lock, the next acquire() takes the
lock over, returns True, sets the object's `owner_died` attribute to True
and issues an mproc.OwnerDiedWarning: the data the lock guards may be
half-updated. `owner_died` goes back to False at the next ordinary acquire.
"""
import ctypes
import time
import warnings

from . import _errors
from ._errors import ETIMEDOUT, EOWNERDEAD, ESTATE
from ._handle import NamedHandle, as_size, timeout_ms
from ._lib import lib

_TIMED_OUT = (ETIMEDOUT,)
_U32_MAX = 2 ** 32 - 1


class _Acquirable(NamedHandle):
    """Locks and semaphores: acquire/release with owner-death reporting."""

    _acquire_fn = None
    _release_fn = None
    owner_died = False

    def acquire(self, block=True, timeout=None):
        """Takes the object, waiting up to `timeout` seconds (None: for
        ever; negative: one attempt, as multiprocessing's locks, not for
        ever as threading's). Returns True once taken, False on timeout."""
        ms = timeout_ms(timeout, block)
        acquire = self._acquire_fn
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: acquire(ptr, step), ms, _TIMED_OUT)
            return self._acquired(rc)
        finally:
            self._leave()

    def _acquired(self, rc):
        if rc == 0:
            self.owner_died = False
            return True
        if rc == ETIMEDOUT:
            return False
        if rc == EOWNERDEAD:
            self.owner_died = True
            warnings.warn(f"{self!r}: its previous holder died while holding "
                          f"it; the data it guards may need repair",
                          _errors.OwnerDiedWarning, stacklevel=3)
            return True
        raise _errors.error_from(rc)

    def release(self):
        """Releases the object. For locks: ValueError (also a RuntimeError)
        when the calling thread does not hold it."""
        ptr = self._enter()
        try:
            rc = self._release_fn(ptr)
            if rc == ESTATE:
                raise _errors.error_from(rc, _errors.ReleasedTooManyTimesError)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class Lock(_Acquirable):
    """A non-recursive lock owned by the thread that acquired it. The
    owning thread acquiring it again gets False at once when it gave
    block=False or a timeout (as multiprocessing's Lock, which waits out
    the timeout first: only the owner can release it, so nothing can come
    of waiting), and RuntimeError (StateError) when it would wait for ever
    (where threading.Lock would deadlock)."""

    _free = lib.mproc_lock_free
    _name_fn = lib.mproc_lock_name
    _open_fn = lib.mproc_lock_open
    _acquire_fn = lib.mproc_lock_acquire
    _release_fn = lib.mproc_lock_release
    _kind = "lock"

    def __init__(self, *, name=None, named=False):
        self._create(lib.mproc_lock_new, name=name, named=named)

    def acquire(self, block=True, timeout=None):
        try:
            return super().acquire(block, timeout)
        except _errors.StateError:
            if block and timeout is None:
                raise
            return False

    def locked(self):
        """True if some thread, in any process, holds it (a snapshot)."""
        value = ctypes.c_int()
        self._call(lib.mproc_lock_is_locked, ctypes.byref(value))
        return bool(value.value)


class RLock(_Acquirable):
    """A re-entrant lock: its owner may acquire it again; each acquire
    needs its own release."""

    _free = lib.mproc_rlock_free
    _name_fn = lib.mproc_rlock_name
    _open_fn = lib.mproc_rlock_open
    _acquire_fn = lib.mproc_rlock_acquire
    _release_fn = lib.mproc_rlock_release
    _kind = "rlock"

    def __init__(self, *, name=None, named=False):
        self._create(lib.mproc_rlock_new, name=name, named=named)

    @property
    def depth(self):
        """How many times the calling thread holds it (0: not at all)."""
        value = ctypes.c_uint32()
        self._call(lib.mproc_rlock_depth, ctypes.byref(value))
        return value.value

    def _is_owned(self):
        return self.depth > 0


class Semaphore(_Acquirable):
    """A counter of free units; acquire takes one, release gives one back.
    Not owned: any thread may release."""

    _free = lib.mproc_sem_free
    _name_fn = lib.mproc_sem_name
    _open_fn = lib.mproc_sem_open
    _acquire_fn = lib.mproc_sem_acquire
    _release_fn = lib.mproc_sem_release
    _kind = "semaphore"
    _new_fn = lib.mproc_sem_new

    def __init__(self, value=1, *, name=None, named=False):
        value = as_size(value, "semaphore initial value", 0, _U32_MAX)
        self._create(type(self)._new_fn, value, name=name, named=named)

    def release(self, n=1):
        """Gives `n` units back. ValueError when a BoundedSemaphore would
        go above its initial value."""
        for _ in range(as_size(n, "n", 1)):
            super().release()

    def get_value(self):
        value = ctypes.c_uint32()
        self._call(lib.mproc_sem_value, ctypes.byref(value))
        return value.value


class BoundedSemaphore(Semaphore):
    """A Semaphore that may not be released above its initial value."""

    _new_fn = lib.mproc_sem_new_bounded


class Event(NamedHandle):
    """A flag that processes wait on (multiprocessing.Event)."""

    _free = lib.mproc_event_free
    _name_fn = lib.mproc_event_name
    _open_fn = lib.mproc_event_open
    _kind = "event"

    def __init__(self, *, name=None, named=False):
        self._create(lib.mproc_event_new, name=name, named=named)

    def is_set(self):
        value = ctypes.c_int()
        self._call(lib.mproc_event_is_set, ctypes.byref(value))
        return bool(value.value)

    def set(self):
        """Sets the flag and wakes every waiter in every process."""
        self._call(lib.mproc_event_set)

    def clear(self):
        self._call(lib.mproc_event_clear)

    def wait(self, timeout=None):
        """Waits until the flag is set: True, or False after `timeout`."""
        ms = timeout_ms(timeout)
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_event_wait(ptr, step), ms,
                            _TIMED_OUT)
            if rc not in (0, ETIMEDOUT):
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return rc == 0


class Condition(NamedHandle):
    """A condition variable over `lock` (a Lock or an RLock), or over an
    RLock of its own when lock is None. A named condition needs a named
    lock or none; Condition.open(name) opens its lock too."""

    _free = lib.mproc_cond_free
    _name_fn = lib.mproc_cond_name
    _open_fn = lib.mproc_cond_open
    _kind = "condition"
    owner_died = False

    def __init__(self, lock=None, *, name=None, named=False):
        if lock is None:
            self._create(lib.mproc_cond_new, None, name=name, named=named)
            return
        if isinstance(lock, Lock):
            new_fn = lib.mproc_cond_new
        elif isinstance(lock, RLock):
            new_fn = lib.mproc_cond_new_rlock
        else:
            raise TypeError(f"lock must be an mproc Lock or RLock, not "
                            f"{type(lock).__name__}")
        # The C condition keeps its own reference to the lock's shared
        # state; the Python lock need only stay open during creation.
        lock_ptr = lock._enter()
        try:
            self._create(new_fn, lock_ptr, name=name, named=named)
        finally:
            lock._leave()

    def acquire(self, block=True, timeout=None):
        """Acquires the underlying lock, as Lock.acquire."""
        ms = timeout_ms(timeout, block)
        ptr = self._enter()
        try:
            rc = self._wait(lambda step: lib.mproc_cond_acquire(ptr, step), ms,
                            _TIMED_OUT)
            return _Acquirable._acquired(self, rc)
        finally:
            self._leave()

    def release(self):
        ptr = self._enter()
        try:
            rc = lib.mproc_cond_release(ptr)
            if rc == ESTATE:
                raise _errors.error_from(rc, _errors.ReleasedTooManyTimesError)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()

    __enter__ = _Acquirable.__enter__
    __exit__ = _Acquirable.__exit__

    def wait(self, timeout=None):
        """With the lock held: releases it, sleeps until notified or
        `timeout` seconds pass, and takes it back. True if notified.
        RuntimeError if the calling thread does not hold the lock."""
        ms = timeout_ms(timeout)
        ptr = self._enter()
        try:
            # Slicing is safe here: between slices this thread holds the
            # lock, so no notification can be issued (and none is lost: the
            # library counts a notified waiter that timed out as notified).
            rc = self._wait(lambda step: lib.mproc_cond_wait(ptr, step), ms,
                            _TIMED_OUT)
            return _Acquirable._acquired(self, rc)
        finally:
            self._leave()

    def wait_for(self, predicate, timeout=None):
        """Waits until predicate() is true (checked with the lock held),
        at most `timeout` seconds. Returns the last value of predicate()."""
        deadline = None if timeout is None else time.monotonic() + timeout
        result = predicate()
        while not result:
            wait = None
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
            self.wait(wait)
            result = predicate()
        return result

    def notify(self, n=1):
        """Wakes up to `n` waiters (the lock must be held)."""
        self._call(lib.mproc_cond_notify, as_size(n, "n", 0, _U32_MAX))

    def notify_all(self):
        self._call(lib.mproc_cond_notify_all)


class Barrier(NamedHandle):
    """A barrier for `parties` waiters (multiprocessing.Barrier).
    `action`, if given, is called once per round with no arguments, by the
    last party to arrive, before any party is released; it travels with
    the barrier when the barrier is pickled (so it must be picklable for
    spawn children). `timeout` is the default for wait()."""

    _free = lib.mproc_barrier_free
    _name_fn = lib.mproc_barrier_name
    _open_fn = lib.mproc_barrier_open
    _kind = "barrier"
    _timeout = None
    _action = None
    _pickled_attrs = ("_action", "_timeout")

    def __init__(self, parties, action=None, timeout=None, *, name=None, named=False):
        parties = as_size(parties, "parties", 1, _U32_MAX)
        if action is not None and not callable(action):
            raise TypeError(f"action must be callable, not {type(action).__name__}")
        timeout_ms(timeout)      # type check only: any number goes, as in threading
        self._create(lib.mproc_barrier_new, parties, name=name, named=named)
        self._action = action
        self._timeout = timeout

    def wait(self, timeout=None):
        """Waits for every party; returns this waiter's arrival index
        (0 .. parties-1). BrokenBarrierError if the barrier is or becomes
        broken, or if `timeout` runs out (which breaks it for everyone).
        With an action, a round is two waits of the shared barrier: every
        party arrives, the last one (index parties-1) runs the action, and
        the second wait releases them all; an action that raises breaks
        the barrier (the others get BrokenBarrierError) and its exception
        propagates from this call. Not cut into slices, as the library
        counts a timeout as breaking the barrier: Ctrl-C is delivered only
        once the wait ends."""
        if timeout is None:
            timeout = self._timeout
        ms = timeout_ms(timeout)
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0)
        index = self._wait_once(ms)
        if self._action is None:
            return index
        if index == self.parties - 1:
            try:
                self._action()
            except BaseException:
                self.abort()
                raise
        if deadline is not None:
            # What is left of the caller's timeout (0: one attempt).
            ms = timeout_ms(max(deadline - time.monotonic(), 0))
        self._wait_once(ms)
        return index

    def _wait_once(self, ms):
        index = ctypes.c_uint32()
        ptr = self._enter()
        try:
            rc = lib.mproc_barrier_wait(ptr, ms, ctypes.byref(index))
            if rc == ETIMEDOUT:
                raise _errors.error_from(rc, _errors.MprocBrokenBarrierError)
            if rc:
                raise _errors.error_from(rc)
        finally:
            self._leave()
        return index.value

    def abort(self):
        """Breaks the barrier: current and future waiters get
        BrokenBarrierError until reset()."""
        self._call(lib.mproc_barrier_abort)

    def reset(self):
        """Back to the initial state; current waiters get
        BrokenBarrierError."""
        self._call(lib.mproc_barrier_reset)

    def _u32(self, fn):
        value = ctypes.c_uint32()
        self._call(fn, ctypes.byref(value))
        return value.value

    @property
    def parties(self):
        return self._u32(lib.mproc_barrier_parties)

    @property
    def n_waiting(self):
        return self._u32(lib.mproc_barrier_n_waiting)

    @property
    def broken(self):
        value = ctypes.c_int()
        self._call(lib.mproc_barrier_broken, ctypes.byref(value))
        return bool(value.value)
