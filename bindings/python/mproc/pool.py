"""Pool: Python callables run by mproc's native process pool
(multiprocessing.Pool, with the native pool's failure handling).

Each task is one native pool task ("mproc.py.call", mproc._tasks): the
pickled function and arguments in, the pickled result or exception out.
map, imap and starmap send their items in chunks, one task per chunk.
Tasks without callbacks are submitted to the pool's completion queue
(mproc_pool_apply_async_to): results take their outcomes from it in
batches, one library call for many, and no future per task to free.

What the native pool adds over multiprocessing.Pool: a worker that dies
(os._exit, a segfault in a C extension, SIGKILL) fails only the task it
held, with WorkerLostError, and is replaced; a task given a `timeout` that
runs past it has its worker killed and replaced and fails with
TaskTimeoutError; an initializer that fails breaks the pool with
PoolBrokenError instead of restarting workers for ever.
"""
import ctypes
import itertools
import queue
import struct
import threading
import time
import warnings
import weakref

import multiprocessing
import multiprocessing.pool

from . import _errors, _tasks
from ._errors import check
from ._handle import FOREVER, as_size, timeout_ms, wait_in_slices
from ._lib import lib
from .process import _current


class WorkerLostError(_errors.MprocError):
    """MPROC_EWORKER: the worker running the task died (killed, crashed, or
    exited); the message names the signal or status. The pool replaced
    it."""


class TaskTimeoutError(_errors.MprocTimeoutError):
    """The task ran past its `timeout`: its worker was killed and
    replaced."""


class PoolBrokenError(_errors.MprocError):
    """MPROC_EBROKEN: the pool can no longer run tasks (an initializer
    failed, or a replacement worker could not start); the message says
    why."""


# A worker's traceback, set as the __cause__ of the exception raised again
# here: multiprocessing's own class, so that code checking for it (and
# CPython's tests) sees the same type.
RemoteTraceback = multiprocessing.pool.RemoteTraceback


class MaybeEncodingError(Exception):
    """A result or exception that could not be pickled to come back."""

    def __init__(self, exc, value, what="result"):
        self.exc = repr(exc)
        self.value = repr(value)
        super().__init__(self.exc, self.value, what)

    def __str__(self):
        return (f"Error sending {self.args[2]} in the worker: {self.value}. "
                f"Reason: {self.exc}")


# A Python task's own failures come back as pickled exceptions, never as a
# native ETASK: that one only reaches a task when the initializer failed,
# which broke the pool.
_POOL_CLASSES = {_errors.EWORKER: WorkerLostError, _errors.EBROKEN: PoolBrokenError,
                 _errors.ETASK: PoolBrokenError}

_FUTURE_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)


def _outcome_of(future, ms):
    """(True, value) / (False, exception) of a native future, or None if it
    is not done within `ms`. Every result comes through here: one library
    call reads the output in place (no message to copy, query and free)."""
    try:
        data, size, data_ref, size_ref = _out.params
    except AttributeError:
        data, size = ctypes.c_void_p(), ctypes.c_size_t()
        data_ref, size_ref = ctypes.byref(data), ctypes.byref(size)
        _out.params = data, size, data_ref, size_ref
    rc = _result_view(future, data_ref, size_ref, ms)
    if rc == 0:
        return _tasks.decode_output_at(data.value, size.value)
    if rc == _errors.ETIMEDOUT:
        # The wait's own timeout, or the task's: once the task is done, a
        # second look (which no longer waits) tells them apart, however
        # close to the end of the wait it finished.
        ready = ctypes.c_int()
        check(lib.mproc_future_ready(future, ctypes.byref(ready)))
        if not ready.value:
            return None
        rc = _result_view(future, data_ref, size_ref, 0)
        if rc == 0:
            return _tasks.decode_output_at(data.value, size.value)
        if rc == _errors.ETIMEDOUT:
            return False, _errors.error_from(rc, TaskTimeoutError)
    return False, _errors.error_from(rc, _POOL_CLASSES.get(rc))


_result_view = lib.mproc_future_result_view
# Each thread's out-parameters for _result_view, made once: a result is
# decoded before the thread's next call overwrites them.
_out = threading.local()
_apply_async_to = lib.mproc_pool_apply_async_to
_take = lib.mproc_completions_take
# An outcome in the completion queue (mproc_completion_t): tag, code,
# reserved, size; then the bytes, padded to 8.
_RECORD = struct.Struct("=QiIQ")
# Every 1024th submission also takes what the completion queue holds.
_DRAIN_EVERY = 1023


# Futures with callbacks, by id: the native callback gets the id as its
# userdata and must find the AsyncResult (which the caller may drop).
_pending = {}
_ids = itertools.count(1)


@_FUTURE_CB
def _on_done(future, userdata):
    result = _pending.pop(userdata, None)
    if result is None:
        return
    try:
        outcome = _outcome_of(future, 0)
    except BaseException as exc:  # noqa: B902 (never let it reach C)
        outcome = (False, exc)
    result._settle(outcome)


class AsyncResult:
    """The outcome of apply_async (multiprocessing.pool.AsyncResult)."""

    __slots__ = ("_pool", "_future", "_callback", "_error_callback", "_notify", "_outcome",
                 "_done", "__weakref__")

    def __init__(self, pool, callback, error_callback, notify=None):
        self._pool = pool
        self._future = None
        self._callback = callback
        self._error_callback = error_callback
        self._notify = notify
        self._outcome = None
        # Only results settled by the collector thread need an event: the
        # others are collected by the thread that asks (most of them, and
        # the cost of an Event is a third of a submission's).
        self._done = threading.Event() if callback is not None or \
            error_callback is not None or notify is not None else None

    def __del__(self):
        # Not weakref.finalize: as costly again as the rest of a
        # submission. The future's task runs on whether freed or not.
        future, self._future = self._future, None
        if future is not None and lib is not None:
            lib.mproc_future_free(future)

    def _settle(self, outcome):
        """On the collector thread: records the outcome, runs the callbacks
        (an exception from one is printed, as a thread's would be: it has
        nowhere else to go)."""
        self._outcome = outcome
        try:
            ok, value = outcome
            if ok and self._callback is not None:
                self._callback(value)
            elif not ok and self._error_callback is not None:
                self._error_callback(value)
        except BaseException:  # noqa: B902
            import traceback
            traceback.print_exc()
        finally:
            self._done.set()
            if self._notify is not None:
                self._notify(self)

    def ready(self):
        if self._outcome is not None:
            return True
        if self._future is None:
            return self._pool._await(self, 0)
        out = ctypes.c_int()
        check(lib.mproc_future_ready(self._future, ctypes.byref(out)))
        return bool(out.value) and self._collect(0)

    def successful(self):
        if not self.ready():
            raise ValueError(f"{self!r} not ready")
        return self._outcome[0]

    def wait(self, timeout=None):
        self._collect(timeout_ms(timeout))

    def get(self, timeout=None):
        """The result; the task's exception raised again; WorkerLostError,
        TaskTimeoutError...; multiprocessing.TimeoutError if not done in
        `timeout` seconds."""
        if not self._collect(timeout_ms(timeout)):
            raise multiprocessing.TimeoutError
        ok, value = self._outcome
        if ok:
            return value
        raise value

    def _collect(self, ms):
        """True once the outcome is known, waiting at most `ms`."""
        if self._done is not None:
            # The collector thread settles it (and runs the callbacks).
            return self._done.wait(None if ms == FOREVER else ms / 1000)
        if self._outcome is not None:
            return True
        if self._future is None:
            # Submitted to the pool's completion queue.
            return self._pool._await(self, ms)
        # Most results are collected after they are done: one look, and
        # the loop below only for those that are not.
        outcome = _outcome_of(self._future, 0)
        if outcome is not None:
            self._outcome = outcome
            return True
        if ms == 0:
            return False

        def attempt(ms):
            outcome = _outcome_of(self._future, ms)
            if outcome is None:
                return _errors.ETIMEDOUT
            self._outcome = outcome
            return 0
        return wait_in_slices(attempt, ms, (_errors.ETIMEDOUT,)) == 0

    def __repr__(self):
        return f"<mproc.pool.AsyncResult ready={self._outcome is not None}>"


ApplyResult = AsyncResult


class Pool:
    """Pool(processes=None, initializer=None, initargs=(),
    maxtasksperchild=None): worker processes running Python callables.
    As a context manager, exit terminates it (as multiprocessing's)."""

    def __init__(self, processes=None, initializer=None, initargs=(),
                 maxtasksperchild=None, context=None):
        if context is not None:
            raise ValueError("mproc.Pool takes no context: its workers are started by spawn")
        if processes is None:
            processes = lib.mproc_cpu_count()
        processes = as_size(processes, "processes", minimum=1)
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        if maxtasksperchild is not None:
            maxtasksperchild = as_size(maxtasksperchild, "maxtasksperchild", minimum=1)
        if _current().daemon:
            raise AssertionError("daemonic processes are not allowed to have children")
        _tasks.use_this_interpreter()
        self._processes = processes
        self._state = "RUN"
        opts = ctypes.c_void_p()
        args = ctypes.c_void_p()
        check(lib.mproc_pool_opts_new(ctypes.byref(opts)))
        try:
            check(lib.mproc_args_new(ctypes.byref(args)))
            prep = _tasks.preparation_data()
            init = _tasks.pickle.dumps((initializer, tuple(initargs)))
            check(lib.mproc_args_add_bytes(args, prep, len(prep)))
            check(lib.mproc_args_add_bytes(args, init, len(init)))
            check(lib.mproc_pool_opts_set_processes(opts, processes))
            check(lib.mproc_pool_opts_set_initializer(opts, _tasks.INIT_TASK, args))
            if maxtasksperchild:
                check(lib.mproc_pool_opts_set_maxtasksperchild(opts, maxtasksperchild))
            out = ctypes.c_void_p()
            check(lib.mproc_pool_new(ctypes.byref(out), opts))
        finally:
            lib.mproc_args_free(args)
            lib.mproc_pool_opts_free(opts)
        self._ptr = out.value
        self._finalizer = weakref.finalize(self, lib.mproc_pool_free, self._ptr)
        self._finalizer.atexit = False
        self._task_opts = {}
        # The completion queue of the tasks submitted without callbacks:
        # results not yet settled by tag, and the buffer outcomes are
        # taken into (grown when one does not fit).
        completions = ctypes.c_void_p()
        check(lib.mproc_completions_new(ctypes.byref(completions)))
        self._completions = completions.value
        weakref.finalize(self, lib.mproc_completions_free, self._completions).atexit = False
        self._waiting = {}
        self._tags = itertools.count(1)
        self._taking = threading.Lock()
        self._settled = threading.Condition(threading.Lock())
        self._buf = ctypes.create_string_buffer(256 * 1024)
        self._view = memoryview(self._buf).cast("B")
        self._used = ctypes.c_size_t()
        self._used_ref = ctypes.byref(self._used)

    def __del__(self, _warn=warnings.warn):
        # As multiprocessing: a pool dropped while it runs (neither closed
        # nor terminated) is worth a ResourceWarning; the finalizer then
        # frees it.
        if getattr(self, "_ptr", None) is not None and self._state == "RUN":
            _warn(f"unclosed running multiprocessing pool {self!r}", ResourceWarning,
                  source=self)

    # ---- submitting ----------------------------------------------------

    def _submit_plain(self, payload, opts=None):
        """_submit without callbacks: most submissions. The outcome joins
        the pool's completion queue, whence the results' get() take
        outcomes in batches: one library call per task, none per result."""
        if self._state != "RUN":
            raise ValueError("Pool not running")
        result = AsyncResult(self, None, None)
        tag = next(self._tags)
        self._waiting[tag] = result
        rc = _apply_async_to(self._ptr, _tasks.CALL_TASK, payload, len(payload), opts,
                             self._completions, tag)
        if rc:
            del self._waiting[tag]
            raise _errors.error_from(rc, _POOL_CLASSES.get(rc))
        if not tag & _DRAIN_EVERY:
            # Outcomes nobody asks for (results dropped unread) are taken
            # now and then, so they do not pile up.
            self._await(None, 0)
        return result

    # ---- the completion queue ------------------------------------------

    def _await(self, result, ms):
        """True once `result` is settled, taking outcomes from the
        completion queue for at most `ms`. One thread takes at a time;
        the others wait for it to settle theirs (or to step down, when
        one of them takes over)."""
        deadline = None if ms == FOREVER else time.monotonic() + ms / 1000
        while result is None or result._outcome is None:
            left = FOREVER if deadline is None else \
                max(0, int((deadline - time.monotonic()) * 1000))
            if self._taking.acquire(False):
                try:
                    if result is None or result._outcome is None:
                        wait_in_slices(self._take, left, (_errors.ETIMEDOUT,))
                finally:
                    self._taking.release()
                    with self._settled:
                        self._settled.notify_all()
                if result is None:
                    return False
            elif ms == 0:
                return False
            else:
                with self._settled:
                    if result._outcome is None and self._taking.locked():
                        self._settled.wait(None if deadline is None else left / 1000)
            if deadline is not None and result._outcome is None and \
                    time.monotonic() >= deadline:
                return False
        return True

    def _take(self, ms):
        """Settles the outcomes the completion queue has (waiting at most
        `ms` for one); returns the library's code. Only under _taking."""
        rc = _take(self._completions, self._buf, len(self._buf), self._used_ref, ms)
        if rc == _errors.ETOOBIG:
            self._buf = ctypes.create_string_buffer(self._used.value)
            self._view = memoryview(self._buf).cast("B")
            rc = _take(self._completions, self._buf, len(self._buf), self._used_ref, ms)
        if rc:
            return rc
        view, waiting, at, end = self._view, self._waiting, 0, self._used.value
        while at < end:
            tag, code, _, size = _RECORD.unpack_from(view, at)
            at += _RECORD.size
            result = waiting.pop(tag, None)
            if result is not None:
                try:
                    if code == 0:
                        result._outcome = _tasks.decode_output(view[at:at + size])
                    else:
                        message = bytes(view[at:at + size]).decode(errors="replace") or None
                        result._outcome = False, _errors.error_of(
                            code, message,
                            TaskTimeoutError if code == _errors.ETIMEDOUT
                            else _POOL_CLASSES.get(code))
                except BaseException as exc:  # noqa: B902 (an unpickling failure is its result's)
                    result._outcome = False, exc
            at += (size + 7) & ~7
        return 0

    def _submit(self, payload, timeout, callback, error_callback, notify=None):
        if callback is None and error_callback is None and notify is None:
            return self._submit_plain(
                payload, None if timeout is None else self._opts_with_timeout(timeout_ms(timeout)))
        if self._state != "RUN":
            raise ValueError("Pool not running")
        # A fresh options object: it carries this task's own userdata.
        fresh = ctypes.c_void_p()
        check(lib.mproc_task_opts_new(ctypes.byref(fresh)))
        opts = fresh.value
        if timeout is not None:
            check(lib.mproc_task_opts_set_timeout(opts, timeout_ms(timeout)))
        userdata = next(_ids)
        check(lib.mproc_task_opts_set_callback(opts, ctypes.cast(_on_done, ctypes.c_void_p),
                                               userdata))
        future = ctypes.c_void_p()
        try:
            # The result exists before the task can complete: the callback
            # finds it in _pending.
            result = AsyncResult(self, callback, error_callback, notify)
            _pending[userdata] = result
            rc = lib.mproc_pool_apply_async(self._ptr, _tasks.CALL_TASK, payload, len(payload),
                                            opts, ctypes.byref(future))
            if rc:
                _pending.pop(userdata, None)
                raise _errors.error_from(rc, _POOL_CLASSES.get(rc))
        finally:
            lib.mproc_task_opts_free(opts)
        result._future = future.value
        return result

    def _opts_with_timeout(self, ms):
        opts = self._task_opts.get(ms)
        if opts is None:
            fresh = ctypes.c_void_p()
            check(lib.mproc_task_opts_new(ctypes.byref(fresh)))
            check(lib.mproc_task_opts_set_timeout(fresh, ms))
            opts = self._task_opts[ms] = fresh.value
            weakref.finalize(self, lib.mproc_task_opts_free, opts).atexit = False
        return opts

    def apply_async(self, func, args=(), kwds=None, callback=None, error_callback=None,
                    *, timeout=None):
        """Runs func(*args, **kwds) in a worker. callback(result) or
        error_callback(exception) run on the pool's collector thread.
        `timeout` (seconds) limits the task's run time: past it its worker
        is killed and replaced and the task fails with TaskTimeoutError."""
        payload = _tasks.call_payload(_tasks.CALL, func,
                                      args if type(args) is tuple else tuple(args), kwds)
        if timeout is None and callback is None and error_callback is None:
            return self._submit_plain(payload)
        return self._submit(payload, timeout, callback, error_callback)

    def apply(self, func, args=(), kwds=None, *, timeout=None):
        return self.apply_async(func, args, kwds, timeout=timeout).get()

    def _chunks(self, mode, func, iterable, chunksize, timeout, notify=None):
        items = list(iterable)
        if chunksize is None:
            chunksize, extra = divmod(len(items), self._processes * 4)
            chunksize += bool(extra)
        chunksize = max(1, as_size(chunksize, "chunksize"))
        results = []
        for start in range(0, len(items), chunksize):
            payload = _tasks.call_payload(mode, func, items[start:start + chunksize])
            results.append(self._submit(payload, timeout, None, None, notify))
        return results

    def map(self, func, iterable, chunksize=None, *, timeout=None):
        """[func(x) for x in iterable], in order. The first failing chunk's
        exception is raised. `timeout` limits each chunk's run time."""
        return self._gather(self._chunks(_tasks.MAP, func, iterable, chunksize, timeout))

    def starmap(self, func, iterable, chunksize=None, *, timeout=None):
        """[func(*x) for x in iterable], in order."""
        return self._gather(self._chunks(_tasks.STARMAP, func, iterable, chunksize, timeout))

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None,
                  *, timeout=None):
        return self._list_result(_tasks.MAP, func, iterable, chunksize, timeout,
                                 callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None,
                      error_callback=None, *, timeout=None):
        return self._list_result(_tasks.STARMAP, func, iterable, chunksize, timeout,
                                 callback, error_callback)

    def _list_result(self, mode, func, iterable, chunksize, timeout, callback,
                     error_callback):
        result = _ListResult(callback, error_callback)
        result._start(self._chunks(mode, func, iterable, chunksize, timeout, result._notify))
        return result

    @staticmethod
    def _gather(results):
        out = []
        for r in results:
            out.extend(r.get())
        return out

    def imap(self, func, iterable, chunksize=1, *, timeout=None):
        """func(x) for each x, in order, as they are ready. A chunk that
        fails raises its exception once from next(); the iteration goes on
        with the next chunk (as multiprocessing's)."""
        results = self._chunks(_tasks.MAP, func, iterable, chunksize, timeout)
        return _ChunkIterator(iter(results).__next__)

    def imap_unordered(self, func, iterable, chunksize=1, *, timeout=None):
        """func(x) for each x, in the order they finish; a failed chunk as
        imap's."""
        done = queue.SimpleQueue()
        results = self._chunks(_tasks.MAP, func, iterable, chunksize, timeout, done.put)
        left = [len(results)]

        def next_done():
            if not left[0]:
                raise StopIteration
            left[0] -= 1
            return done.get()
        return _ChunkIterator(next_done)

    # ---- lifetime ------------------------------------------------------

    def close(self):
        """No new tasks; the workers exit once every task is done."""
        if self._state == "RUN":
            self._state = "CLOSE"
            check(lib.mproc_pool_close(self._ptr))

    def terminate(self):
        """Stops at once: workers are killed; tasks not done fail with
        ClosedError."""
        if self._state != "TERMINATE":
            self._state = "TERMINATE"
            check(lib.mproc_pool_terminate(self._ptr))

    def join(self, timeout=None):
        """Waits for the workers to exit after close() or terminate()."""
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        rc = wait_in_slices(lambda ms: lib.mproc_pool_join(self._ptr, ms),
                            timeout_ms(timeout), (_errors.ETIMEDOUT,))
        if rc == _errors.ETIMEDOUT:
            raise multiprocessing.TimeoutError
        check(rc)

    @property
    def _pids(self):
        pids = (ctypes.c_int64 * self._processes)()
        n = ctypes.c_size_t()
        check(lib.mproc_pool_worker_pids(self._ptr, pids, self._processes, ctypes.byref(n)))
        return list(pids[:min(n.value, self._processes)])

    def __enter__(self):
        if self._state != "RUN":
            raise ValueError("Pool not running")
        return self

    def __exit__(self, *exc):
        self.terminate()

    def __repr__(self):
        return f"<mproc.Pool state={self._state} pool_size={self._processes}>"


class _ChunkIterator:
    """imap's iterator: the items of each chunk's result in turn, from
    next_chunk() (StopIteration at the end). A failed chunk raises its
    exception once; the next call goes on with the chunk after it."""

    def __init__(self, next_chunk):
        self._next_chunk = next_chunk
        self._items = iter(())

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            for item in self._items:
                return item
            self._items = iter(self._next_chunk().get())

    next = __next__


class _ListResult:
    """map_async's result: the chunks' results joined. With a callback or
    an error_callback, the last chunk to finish runs it on the collector
    thread, and wait()/get() return only after it ran (as in
    multiprocessing, where it runs before the result is ready)."""

    def __init__(self, callback, error_callback):
        self._results = None
        self._callback = callback
        self._error_callback = error_callback
        self._lock = threading.Lock()
        self._finished = 0
        self._reported = False
        self._done = None
        if callback is not None or error_callback is not None:
            self._done = threading.Event()

    @property
    def _notify(self):
        """What each chunk calls once settled (None: no callbacks)."""
        return None if self._done is None else self._chunk_done

    def _start(self, results):
        with self._lock:
            self._results = results
        if self._done is not None:
            self._chunk_done(None, count=False)

    def _chunk_done(self, _result, count=True):
        with self._lock:
            self._finished += count
            # Exactly one caller reports: the last chunk, or _start() when
            # every chunk finished before the list was complete.
            last = not self._reported and self._results is not None \
                and self._finished == len(self._results)
            self._reported = self._reported or last
        if not last:
            return
        try:
            outcome = self._joined()
            if outcome[0] and self._callback is not None:
                self._callback(outcome[1])
            elif not outcome[0] and self._error_callback is not None:
                self._error_callback(outcome[1])
        except BaseException:  # noqa: B902  (nowhere else to go, as for apply_async)
            import traceback
            traceback.print_exc()
        finally:
            self._done.set()

    def _joined(self, timeout=None):
        """(True, joined values) or (False, the first chunk's exception)."""
        out = []
        for r in self._results:
            try:
                out.extend(r.get(timeout))
            except multiprocessing.TimeoutError:
                raise
            except BaseException as exc:  # noqa: B902  (the task's own exception)
                return False, exc
        return True, out

    def ready(self):
        if self._done is not None:
            return self._done.is_set()
        return all(r.ready() for r in self._results)

    def successful(self):
        if not self.ready():
            raise ValueError(f"{self!r} not ready")
        return all(r.successful() for r in self._results)

    def wait(self, timeout=None):
        if self._done is not None:
            self._done.wait(timeout)
            return
        for r in self._results:
            r.wait(timeout)

    def get(self, timeout=None):
        if self._done is not None and not self._done.wait(timeout):
            raise multiprocessing.TimeoutError
        ok, value = self._joined(timeout)
        if ok:
            return value
        raise value
