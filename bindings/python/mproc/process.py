"""Process: a Python callable run in a child process started by mproc
(multiprocessing.Process, spawn start method).

The child is this interpreter started again (mproc._tasks); the Process
object travels to it pickled, with the mproc objects among its arguments
passed as descriptors beside the pickle (mproc._passing).
"""
import ctypes
import itertools
import os
import threading
import weakref

from . import _errors, _passing, _tasks
from ._errors import check
from ._handle import timeout_ms, wait_in_slices
from ._lib import lib
from .net import current_authkey

_counter = itertools.count(1)
# Started processes of this process, for active_children().
_children = set()
_children_mu = threading.Lock()


class Process:
    """A callable run in a child process: Process(target=fn, args=(...),
    kwargs={...}, name=..., daemon=...). Subclasses may override run().
    The arguments are pickled (functions by reference, as multiprocessing
    does: define them at a module's top level); mproc objects among them
    (Lock, Queue, SharedMemory, Value...) reach the child as themselves,
    named or not."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None,
                 *, daemon=None):
        if group is not None:
            raise ValueError("group must be None")
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        self._name = name or f"{type(self).__name__}-{next(_counter)}"
        self._daemon = bool(daemon) if daemon is not None else _current().daemon
        self._ptr = None
        self._closed = False
        self._pid = None
        self._finalizer = None

    # ---- in the child --------------------------------------------------

    def run(self):
        """What the child runs: target(*args, **kwargs)."""
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def __getstate__(self):
        state = dict(self.__dict__)
        for key in ("_ptr", "_finalizer"):
            state[key] = None
        return state

    # ---- in the parent -------------------------------------------------

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = str(value)

    @property
    def daemon(self):
        return self._daemon

    @daemon.setter
    def daemon(self, value):
        if self._ptr is not None:
            raise AssertionError("cannot set daemon status of active process")
        self._daemon = bool(value)

    def start(self):
        """Starts the child. A second start raises AssertionError (as
        multiprocessing); a child that can not start raises MprocError with
        the reason."""
        self._check_closed()
        if self._ptr is not None:
            raise AssertionError("cannot start a process twice")
        if _current().daemon:
            raise AssertionError("daemonic processes are not allowed to have children")
        _tasks.use_this_interpreter()
        args = ctypes.c_void_p()
        check(lib.mproc_args_new(ctypes.byref(args)))
        opts = ctypes.c_void_p()
        try:
            prep = _tasks.preparation_data()
            check(lib.mproc_args_add_bytes(args, prep, len(prep)))
            # [prep, the mproc objects met pickling, the pickle itself]
            payload = _passing.dumps(self, args, 1)
            check(lib.mproc_args_add_bytes(args, payload, len(payload)))
            check(lib.mproc_process_opts_new(ctypes.byref(opts)))
            check(lib.mproc_process_opts_set_name(opts, self._name.encode()))
            check(lib.mproc_process_opts_set_daemon(opts, int(self._daemon)))
            out = ctypes.c_void_p()
            rc = lib.mproc_process_new(ctypes.byref(out), _tasks.PROCESS_TASK, args, opts)
            args = None  # taken, even on failure
            check(rc)
        finally:
            if args is not None:
                lib.mproc_args_free(args)
            lib.mproc_process_opts_free(opts)
        self._ptr = out.value
        self._finalizer = weakref.finalize(self, lib.mproc_process_free, self._ptr)
        self._finalizer.atexit = False
        rc = lib.mproc_process_start(self._ptr)
        if rc:
            err = _errors.error_from(rc)
            self._finalizer()
            self._ptr = None
            raise err
        self._pid = self._query(lib.mproc_process_pid, ctypes.c_int64)
        # As multiprocessing: the child has its own copies, and the parent
        # must not keep the target and its arguments alive.
        self._target, self._args, self._kwargs = None, (), {}
        with _children_mu:
            _children.add(self)

    def join(self, timeout=None):
        """Waits for the child to end, at most `timeout` seconds (None: for
        ever). Returns None either way; check exitcode or is_alive()."""
        self._check_started()
        rc = wait_in_slices(lambda ms: lib.mproc_process_join(self._ptr, ms),
                            timeout_ms(timeout), (_errors.ETIMEDOUT,))
        if rc != _errors.ETIMEDOUT:
            check(rc)
            with _children_mu:
                _children.discard(self)

    def is_alive(self):
        if self._ptr is None:
            self._check_closed()
            return False
        return bool(self._query(lib.mproc_process_is_alive, ctypes.c_int))

    def terminate(self):
        """SIGTERM to the child (nothing if it already ended)."""
        self._check_started()
        check(lib.mproc_process_terminate(self._ptr))

    def kill(self):
        """SIGKILL to the child (nothing if it already ended)."""
        self._check_started()
        check(lib.mproc_process_kill(self._ptr))

    @property
    def pid(self):
        """The child's pid; None before start."""
        return self._pid

    ident = pid

    @property
    def authkey(self):
        """The key the child authenticates Listener/Client connections
        with: this process's (mproc.current_authkey()), which it inherits."""
        return current_authkey()

    @property
    def exitcode(self):
        """None while not started or running; else the exit status, or -N
        if signal N ended it."""
        if self._ptr is None:
            self._check_closed()
            return None
        code = ctypes.c_int()
        rc = lib.mproc_process_exitcode(self._ptr, ctypes.byref(code))
        if rc == _errors.ESTATE:
            return None
        check(rc)
        return code.value

    @property
    def sentinel(self):
        """A descriptor that becomes readable when the child ends (for
        multiprocessing.connection.wait, select...). Valid until close()."""
        self._check_closed()
        if self._ptr is None:
            raise ValueError("process not started")   # as multiprocessing
        return self._query(lib.mproc_process_sentinel, ctypes.c_int)

    def close(self):
        """Releases the handle. ValueError while the child runs."""
        if self._ptr is not None:
            if self.is_alive():
                raise ValueError("Cannot close a process while it is still running. "
                                 "You should first call join() or terminate().")
            self._finalizer()
            self._ptr = None
        self._closed = True

    def _query(self, fn, ctype):
        out = ctype()
        check(fn(self._ptr, ctypes.byref(out)))
        return out.value

    def _check_closed(self):
        if self._closed:
            raise ValueError("process object is closed")

    def _check_started(self):
        self._check_closed()
        if self._ptr is None:
            raise AssertionError("can only use a started process")

    def __repr__(self):
        if self._closed:
            state = "closed"
        elif self._ptr is None:
            state = "initial"
        else:
            code = self.exitcode
            state = "started" if code is None else f"stopped exitcode={code}"
        daemon = " daemon" if self._daemon else ""
        return f"<{type(self).__name__} name={self._name!r} pid={self._pid} {state}{daemon}>"


class _Current:
    """What current_process() returns: this process's name, pid, daemon
    flag."""

    def __init__(self, name, daemon):
        self.name = name
        self.daemon = daemon

    @property
    def pid(self):
        return os.getpid()

    ident = pid
    exitcode = None

    @property
    def authkey(self):
        """This process's key (mproc.current_authkey())."""
        return current_authkey()

    def is_alive(self):
        return True

    def __repr__(self):
        return f"<_MainProcess name={self.name!r} pid={self.pid}>" \
            if self.name == "MainProcess" else f"<Process name={self.name!r} pid={self.pid}>"


_me = None


def _current():
    global _me
    if _me is None:
        _me = _Current(lib.mproc_current_process_name().decode(),
                       bool(lib.mproc_current_process_is_daemon()))
    return _me


def _become(process):
    """In the child: current_process() is the Process being run."""
    global _me
    _me = process
    process._pid = os.getpid()


def current_process():
    """The Process this code runs in (in the main process, a stand-in
    named "MainProcess")."""
    return _current()


def parent_pid():
    """The pid of the process that started this one through mproc, or None
    in a process mproc did not start."""
    pid = lib.mproc_parent_pid()
    return pid or None


def active_children():
    """The Processes this process started that are still running (those
    that ended are joined, as multiprocessing does)."""
    with _children_mu:
        children = list(_children)
    alive = []
    for p in children:
        if p.is_alive():
            alive.append(p)
        else:
            p.join(0)
    return alive
