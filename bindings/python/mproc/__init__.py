"""mproc: Python's multiprocessing model over the mproc C library.

Process and Pool running Python callables in child processes started by
the library (spawn: the interpreter started again); queues, locks,
semaphores, events, conditions, barriers, pipes, shared memory and
Value/Array that live in shared memory and work across processes,
including processes written in other languages; run()/Command for
programs.

The library is loaded from $MPROC_LIBRARY if set, else found by the
dynamic loader (libmproc.so.0).
"""
from ._errors import (BufferTooShort, ClosedError, CommandTimeoutError, InvalidArgumentError,
                      MprocBrokenBarrierError, MprocBrokenPipeError, MprocError,
                      MprocPermissionError, MprocTimeoutError, NameExistsError,
                      NameNotFoundError, OwnerDiedWarning, PeerClosedError,
                      QueueEmpty, QueueFull, ReleasedTooManyTimesError,
                      StateError, WrongTypeError, error_name, strerror)
from ._handle import unlink
from ._lib import LibraryError
from ._lib import lib as _library
from ._lib import path as library_path
from .command import DEVNULL, PIPE, STDOUT, Command, run
from .connection import Connection, Pipe
from ._errors import AuthenticationError
from .net import Client, Listener, current_authkey, set_authkey, wait
from .containers import (ContainerFullError, PickledDict, PickledList, SharedDict,
                         SharedList)
from .queues import JoinableQueue, Queue
from .shared_memory import SharedMemory
from .synchronize import (Barrier, BoundedSemaphore, Condition, Event, Lock,
                          RLock, Semaphore)
from .process import Process, active_children, current_process, parent_pid
from .pool import (MaybeEncodingError, Pool, PoolBrokenError, RemoteTraceback,
                   TaskTimeoutError, WorkerLostError)
from .sharedctypes import Array, RawArray, RawValue, Value
from multiprocessing import TimeoutError  # noqa: E402  (as multiprocessing's)

from threading import BrokenBarrierError  # noqa: E402  (re-exported)

__version__ = "0.1.0"


def version():
    """The version of the loaded C library, e.g. "0.1.0"."""
    return _library.mproc_version_string().decode()


def cpu_count():
    """CPUs this process may run on (its affinity mask), at least 1."""
    return _library.mproc_cpu_count()


__all__ = [
    "Array", "MaybeEncodingError", "Pool", "PoolBrokenError", "Process", "RawArray",
    "RawValue", "RemoteTraceback", "TaskTimeoutError", "TimeoutError", "Value",
    "WorkerLostError", "active_children", "current_process", "parent_pid",
    "Barrier", "BoundedSemaphore", "BufferTooShort", "BrokenBarrierError", "ClosedError",
    "Command", "CommandTimeoutError", "Condition", "Connection", "ContainerFullError",
    "DEVNULL",
    "Event", "InvalidArgumentError", "JoinableQueue", "LibraryError", "Lock",
    "MprocBrokenBarrierError", "MprocBrokenPipeError", "MprocError",
    "MprocPermissionError", "MprocTimeoutError", "NameExistsError",
    "NameNotFoundError", "OwnerDiedWarning", "PIPE", "PeerClosedError", "PickledDict",
    "PickledList", "Pipe",
    "Queue", "QueueEmpty", "QueueFull", "RLock", "ReleasedTooManyTimesError",
    "STDOUT", "Semaphore", "SharedDict", "SharedList", "SharedMemory", "StateError",
    "WrongTypeError",
    "cpu_count", "error_name", "library_path", "run", "strerror", "unlink",
    "version",
    # Listener/Client/wait over Python's own wire protocol (mproc.net).
    "AuthenticationError", "Client", "Listener", "current_authkey", "set_authkey", "wait",
]
