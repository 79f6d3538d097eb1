"""The three tasks through which mproc's native processes and pools run
Python callables, and how a child interpreter gets to them.

A child is this interpreter started again (mproc_set_executable) with a
`-c` program that imports this module and calls child_main(): that
registers the tasks under the same names as in the parent, then hands over
to mproc_main, which reads the parent's request and runs the task. The
tasks take pickles:

  - "mproc.py.process" (a process task): args[0] the parent's preparation
    data (sys.path, main module...), then the mproc objects the Process
    carries (mproc._passing), last the pickled Process;
  - "mproc.py.init" (a pool's initializer, run once in each worker):
    args[0] the preparation data, args[1] the pickled (initializer,
    initargs);
  - "mproc.py.call" (a pool task): a pickled (mode, function, arguments);
    its output is one status byte, then the pickled result or exception.

Functions travel by reference, as multiprocessing sends them: the child
imports their module, and the parent's main script is run again in the
child under the name __mp_main__ (so its `if __name__ == "__main__":` block
does not run) and stands in for __main__.
"""
import ctypes
import os
import pickle
import sys
import traceback
import types

from ._lib import lib
from ._lib import path as _library_path

PROCESS_TASK = b"mproc.py.process"
INIT_TASK = b"mproc.py.init"
CALL_TASK = b"mproc.py.call"

# Modes of a pool task (call_payload).
CALL, MAP, STARMAP = 0, 1, 2
# First byte of a pool task's output.
OK, RAISED = b"\x00", b"\x01"

_TASK_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_POOL_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


def args_bytes(args, index):
    """Argument `index` of a C argument list, as bytes."""
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    rc = lib.mproc_args_get_bytes(args, index, ctypes.byref(data), ctypes.byref(size))
    if rc:
        from ._errors import error_from
        raise error_from(rc)
    return ctypes.string_at(data, size.value)


# ---- preparation: what a child needs before it can unpickle ---------------

def preparation_data():
    """What a child needs to find the parent's functions: its sys.path,
    working directory and main module (multiprocessing.spawn does the
    same)."""
    main = sys.modules.get("__main__")
    data = {"sys_path": list(sys.path), "cwd": os.getcwd(), "sys_argv": list(sys.argv)}
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name not in ("__main__", None):
        data["main_module"] = spec.name[:-9] if spec.name.endswith(".__main__") else spec.name
    else:
        path = getattr(main, "__file__", None)
        if path and os.path.exists(path):
            data["main_path"] = os.path.abspath(path)
    return pickle.dumps(data)


_prepared = False


def prepare(blob):
    """Applies the parent's preparation data once per child."""
    global _prepared
    if _prepared:
        return
    _prepared = True
    data = pickle.loads(blob)
    sys.path[:] = data["sys_path"]
    sys.argv[:] = data["sys_argv"]
    try:
        os.chdir(data["cwd"])
    except OSError:
        pass
    import runpy
    if "main_module" in data:
        content = runpy.run_module(data["main_module"], run_name="__mp_main__",
                                   alter_sys=False)
    elif "main_path" in data:
        content = runpy.run_path(data["main_path"], run_name="__mp_main__")
    else:
        return
    module = types.ModuleType("__mp_main__")
    module.__dict__.update(content)
    sys.modules["__main__"] = sys.modules["__mp_main__"] = module


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            pass


# ---- the task bodies -------------------------------------------------------

def _exit_code(exc):
    """multiprocessing's exit status for a SystemExit."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    sys.stderr.write(str(exc.code) + "\n")
    return 1


def _run_process(args):
    code = 1
    try:
        prepare(args_bytes(args, 0))
        from . import _passing
        count = ctypes.c_size_t()
        lib.mproc_args_count(args, ctypes.byref(count))
        process = _passing.loads(args_bytes(args, count.value - 1), args)
        from . import process as _process
        _process._become(process)
        try:
            process.run()
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except BaseException:
            sys.stderr.write(f"Process {process.name}:\n")
            traceback.print_exc()
            code = 1
        finally:
            import atexit
            import threading
            shutdown = getattr(threading, "_shutdown", None)
            if shutdown is not None:
                shutdown()
            atexit._run_exitfuncs()
    except BaseException:
        sys.stderr.write("mproc: the child could not load its process:\n")
        traceback.print_exc()
    _flush()
    return code


def _run_init(args):
    try:
        prepare(args_bytes(args, 0))
        initializer, initargs = pickle.loads(args_bytes(args, 1))
        if initializer is not None:
            initializer(*initargs)
        return 0
    except SystemExit as exc:
        return _exit_code(exc) or 1
    except BaseException:
        sys.stderr.write("mproc: a pool worker's initializer failed:\n")
        traceback.print_exc()
        return 1
    finally:
        _flush()


# Pickling a function by reference looks it up again every time (about
# half the cost of a trivial task's submission): each side keeps the last
# few functions' pickles. Only plain functions, which pickle as their name:
# a bound method or a callable object carries state that may change.
_CACHE_MAX = 256
_BY_NAME = (types.FunctionType, types.BuiltinFunctionType)
_pickled_fns = {}
_unpickled_fns = {}


def _cached(cache, key, make):
    value = cache.get(key)
    if value is None:
        value = make(key)
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = value
    return value


def _dump_fn(fn):
    return pickle.dumps(fn, pickle.HIGHEST_PROTOCOL)


def call_payload(mode, fn, args, kwargs=None):
    """A pool task's input."""
    if type(fn) in _BY_NAME:
        fn_bytes = _cached(_pickled_fns, fn, _dump_fn)
    else:
        fn_bytes = _dump_fn(fn)
    return pickle.dumps((mode, fn_bytes, args, kwargs), pickle.HIGHEST_PROTOCOL)


def _run_call(data, size, out):
    try:
        # Unpickled in place: the input stays put while the task runs.
        mode, fn_bytes, args, kwargs = pickle.loads((ctypes.c_char * size).from_address(data))
        fn = _cached(_unpickled_fns, fn_bytes, pickle.loads)
        if mode == CALL:
            value = fn(*args, **(kwargs or {}))
        elif mode == MAP:
            value = [fn(x) for x in args]
        else:
            value = [fn(*x) for x in args]
        try:
            blob = OK + pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            blob = RAISED + _pickle_error(_unpicklable("result", value, exc))
    except BaseException as exc:  # noqa: B902 (the task's failure is the result)
        blob = RAISED + _pickle_error(exc)
    _flush()
    return lib.mproc_result_set(out, blob, len(blob))


def _unpicklable(what, value, exc):
    from .pool import MaybeEncodingError
    return MaybeEncodingError(exc, value, what)


def _pickle_error(exc):
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        return pickle.dumps((exc, tb), pickle.HIGHEST_PROTOCOL)
    except BaseException as why:
        return pickle.dumps((_unpicklable("exception", exc, why), tb),
                            pickle.HIGHEST_PROTOCOL)


def decode_output(view):
    """A pool task's output, unpickled from a memoryview of bytes (format
    "B") without a copy: (True, value) or (False, exception)."""
    if len(view) < 1:
        from ._errors import MprocError
        return False, MprocError("a pool task returned no status byte")
    if view[0] == OK[0]:
        return True, pickle.loads(view[1:])
    exc, tb = pickle.loads(view[1:])
    from .pool import RemoteTraceback
    exc.__cause__ = RemoteTraceback(tb)
    return False, exc


def decode_output_at(address, size):
    """decode_output of `size` bytes at `address`, read in place."""
    return decode_output(memoryview((ctypes.c_char * size).from_address(address)).cast("B"))


# ---- registration ----------------------------------------------------------

_process_fn = _TASK_FN(_run_process)
_init_fn = _TASK_FN(_run_init)
_call_fn = _POOL_FN(_run_call)


def _register():
    from ._errors import check
    check(lib.mproc_task_register(PROCESS_TASK, ctypes.cast(_process_fn, ctypes.c_void_p), None))
    check(lib.mproc_task_register(INIT_TASK, ctypes.cast(_init_fn, ctypes.c_void_p), None))
    check(lib.mproc_task_register(CALL_TASK, None, ctypes.cast(_call_fn, ctypes.c_void_p)))


_register()

_executable_set = False


def use_this_interpreter():
    """Makes spawned children start this interpreter at child_main(), with
    the same interpreter flags and the same mproc library (once)."""
    global _executable_set
    if _executable_set:
        return
    import subprocess
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = (f"import os,sys; os.environ.setdefault('MPROC_LIBRARY', {_library_path!r}); "
            f"sys.path.append({package_parent!r}); "
            f"from mproc._tasks import child_main; child_main()")
    argv = [sys.executable, *subprocess._args_from_interpreter_flags(), "-c", code]
    array = (ctypes.c_char_p * len(argv))(*[os.fsencode(a) for a in argv])
    from ._errors import check
    check(lib.mproc_set_executable(os.fsencode(sys.executable), array, len(argv)))
    _executable_set = True


def child_main():
    """The child's entry point: mproc_main runs the parent's request and
    exits; it returns only in an interpreter mproc did not start."""
    argv = (ctypes.c_char_p * 2)(os.fsencode(sys.executable), None)
    rc = lib.mproc_main(1, argv)
    sys.exit(f"mproc: this interpreter was not started by mproc "
             f"(mproc_main returned {rc})")
