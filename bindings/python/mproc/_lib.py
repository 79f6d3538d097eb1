"""Loads libmproc once and declares the signature of every symbol used.

Every C function the binding calls is listed in _SIGNATURES: a symbol
missing from the library fails the import at once, with its name, instead
of failing later in the middle of a program.
"""
import ctypes
import ctypes.util
import os
from ctypes import (POINTER, c_char_p, c_int, c_int64, c_size_t, c_uint,
                    c_uint32, c_uint64, c_void_p)

# The library major version this binding was written against; 0.x releases
# only add to the ABI, a new major may change it.
EXPECTED_MAJOR = 0


class LibraryError(ImportError):
    """The mproc shared library could not be loaded or is unsuitable."""


_H = c_void_p                 # every opaque handle
_HP = POINTER(c_void_p)       # out-parameter receiving a handle
_SZP = POINTER(c_size_t)
_IP = POINTER(c_int)
_U32P = POINTER(c_uint32)
_I64P = POINTER(c_int64)
_CSP = POINTER(c_char_p)      # out-parameter receiving a library-owned string
_VPP = POINTER(c_void_p)      # out-parameter receiving a library-owned pointer

_SIGNATURES = {
    # common.h
    "mproc_version": (c_uint, []),
    "mproc_version_string": (c_char_p, []),
    "mproc_strerror": (c_char_p, [c_int]),
    "mproc_err_name": (c_char_p, [c_int]),
    "mproc_last_error": (c_char_p, []),
    "mproc_last_error_code": (c_int, []),
    "mproc_cpu_count": (c_int, []),
    # sync.h: options and names
    "mproc_shared_opts_new": (c_int, [_HP]),
    "mproc_shared_opts_free": (None, [_H]),
    "mproc_shared_opts_set_named": (c_int, [_H, c_int]),
    "mproc_shared_opts_set_name": (c_int, [_H, c_char_p]),
    "mproc_unlink": (c_int, [c_char_p]),
    # Lock
    "mproc_lock_new": (c_int, [_HP, _H]),
    "mproc_lock_open": (c_int, [_HP, c_char_p]),
    "mproc_lock_acquire": (c_int, [_H, c_int64]),
    "mproc_lock_release": (c_int, [_H]),
    "mproc_lock_is_locked": (c_int, [_H, _IP]),
    "mproc_lock_name": (c_int, [_H, _CSP]),
    "mproc_lock_free": (None, [_H]),
    # RLock
    "mproc_rlock_new": (c_int, [_HP, _H]),
    "mproc_rlock_open": (c_int, [_HP, c_char_p]),
    "mproc_rlock_acquire": (c_int, [_H, c_int64]),
    "mproc_rlock_release": (c_int, [_H]),
    "mproc_rlock_depth": (c_int, [_H, _U32P]),
    "mproc_rlock_name": (c_int, [_H, _CSP]),
    "mproc_rlock_free": (None, [_H]),
    # Semaphore
    "mproc_sem_new": (c_int, [_HP, c_uint32, _H]),
    "mproc_sem_new_bounded": (c_int, [_HP, c_uint32, _H]),
    "mproc_sem_open": (c_int, [_HP, c_char_p]),
    "mproc_sem_acquire": (c_int, [_H, c_int64]),
    "mproc_sem_release": (c_int, [_H]),
    "mproc_sem_value": (c_int, [_H, _U32P]),
    "mproc_sem_name": (c_int, [_H, _CSP]),
    "mproc_sem_free": (None, [_H]),
    # Event
    "mproc_event_new": (c_int, [_HP, _H]),
    "mproc_event_open": (c_int, [_HP, c_char_p]),
    "mproc_event_set": (c_int, [_H]),
    "mproc_event_clear": (c_int, [_H]),
    "mproc_event_is_set": (c_int, [_H, _IP]),
    "mproc_event_wait": (c_int, [_H, c_int64]),
    "mproc_event_name": (c_int, [_H, _CSP]),
    "mproc_event_free": (None, [_H]),
    # Condition
    "mproc_cond_new": (c_int, [_HP, _H, _H]),
    "mproc_cond_new_rlock": (c_int, [_HP, _H, _H]),
    "mproc_cond_open": (c_int, [_HP, c_char_p]),
    "mproc_cond_acquire": (c_int, [_H, c_int64]),
    "mproc_cond_release": (c_int, [_H]),
    "mproc_cond_wait": (c_int, [_H, c_int64]),
    "mproc_cond_notify": (c_int, [_H, c_uint32]),
    "mproc_cond_notify_all": (c_int, [_H]),
    "mproc_cond_name": (c_int, [_H, _CSP]),
    "mproc_cond_free": (None, [_H]),
    # Barrier
    "mproc_barrier_new": (c_int, [_HP, c_uint32, _H]),
    "mproc_barrier_open": (c_int, [_HP, c_char_p]),
    "mproc_barrier_wait": (c_int, [_H, c_int64, _U32P]),
    "mproc_barrier_abort": (c_int, [_H]),
    "mproc_barrier_reset": (c_int, [_H]),
    "mproc_barrier_parties": (c_int, [_H, _U32P]),
    "mproc_barrier_n_waiting": (c_int, [_H, _U32P]),
    "mproc_barrier_broken": (c_int, [_H, _IP]),
    "mproc_barrier_name": (c_int, [_H, _CSP]),
    "mproc_barrier_free": (None, [_H]),
    # shm.h
    "mproc_shm_new": (c_int, [_HP, c_size_t, _H]),
    "mproc_shm_open": (c_int, [_HP, c_char_p]),
    "mproc_shm_data": (c_int, [_H, _VPP]),
    "mproc_shm_size": (c_int, [_H, _SZP]),
    "mproc_shm_lock": (c_int, [_H, _HP]),
    "mproc_shm_name": (c_int, [_H, _CSP]),
    "mproc_shm_free": (None, [_H]),
    # queue.h
    "mproc_queue_opts_new": (c_int, [_HP]),
    "mproc_queue_opts_free": (None, [_H]),
    "mproc_queue_opts_set_maxsize": (c_int, [_H, c_size_t]),
    "mproc_queue_opts_set_capacity": (c_int, [_H, c_size_t]),
    "mproc_queue_opts_set_named": (c_int, [_H, c_int]),
    "mproc_queue_opts_set_name": (c_int, [_H, c_char_p]),
    "mproc_queue_new": (c_int, [_HP, _H]),
    "mproc_queue_open": (c_int, [_HP, c_char_p]),
    "mproc_queue_put": (c_int, [_H, c_void_p, c_size_t, c_int64]),
    "mproc_queue_get": (c_int, [_H, _HP, c_int64]),
    "mproc_queue_get_into": (c_int, [_H, c_void_p, c_size_t, _SZP, c_int64]),
    "mproc_queue_qsize": (c_int, [_H, _SZP]),
    "mproc_queue_empty": (c_int, [_H, _IP]),
    "mproc_queue_full": (c_int, [_H, _IP]),
    "mproc_queue_maxsize": (c_int, [_H, _SZP]),
    "mproc_queue_capacity": (c_int, [_H, _SZP]),
    "mproc_queue_max_message": (c_int, [_H, _SZP]),
    "mproc_queue_close": (c_int, [_H]),
    "mproc_queue_is_closed": (c_int, [_H, _IP]),
    "mproc_queue_task_done": (c_int, [_H]),
    "mproc_queue_join": (c_int, [_H, c_int64]),
    "mproc_queue_name": (c_int, [_H, _CSP]),
    "mproc_queue_free": (None, [_H]),
    # connection.h
    "mproc_conn_pipe": (c_int, [_HP, _HP, c_int]),
    "mproc_conn_from_fd": (c_int, [_HP, c_int, c_int, c_int]),
    "mproc_conn_send": (c_int, [_H, c_void_p, c_size_t, c_int64]),
    "mproc_conn_recv": (c_int, [_H, _HP, c_int64]),
    "mproc_conn_recv_into": (c_int, [_H, c_void_p, c_size_t, _SZP, c_int64]),
    "mproc_conn_poll": (c_int, [_H, c_int64]),
    "mproc_conn_close": (c_int, [_H]),
    "mproc_conn_fileno": (c_int, [_H, _IP]),
    "mproc_conn_writable": (c_int, [_H, _IP]),
    "mproc_conn_readable": (c_int, [_H, _IP]),
    "mproc_conn_free": (None, [_H]),
    "mproc_msg_data": (c_int, [_H, _VPP]),
    "mproc_msg_size": (c_int, [_H, _SZP]),
    "mproc_msg_free": (None, [_H]),
    # command.h
    "mproc_command_opts_new": (c_int, [_HP]),
    "mproc_command_opts_free": (None, [_H]),
    "mproc_command_opts_set_cwd": (c_int, [_H, c_char_p]),
    "mproc_command_opts_env_clear": (c_int, [_H]),
    "mproc_command_opts_env_set": (c_int, [_H, c_char_p, c_char_p]),
    "mproc_command_opts_set_stdio": (c_int, [_H, c_int, c_int]),
    "mproc_command_opts_set_stdio_file": (c_int, [_H, c_int, c_char_p, c_int]),
    "mproc_command_opts_set_new_group": (c_int, [_H, c_int]),
    "mproc_command_new": (c_int, [_HP, POINTER(c_char_p), _H]),
    "mproc_command_start": (c_int, [_H]),
    "mproc_command_write": (c_int, [_H, c_void_p, c_size_t, _SZP, c_int64]),
    "mproc_command_close_stdin": (c_int, [_H]),
    "mproc_command_read": (c_int, [_H, c_int, c_void_p, c_size_t, _SZP, c_int64]),
    "mproc_command_join": (c_int, [_H, c_int64]),
    "mproc_command_is_alive": (c_int, [_H, _IP]),
    "mproc_command_terminate": (c_int, [_H]),
    "mproc_command_kill": (c_int, [_H]),
    "mproc_command_pid": (c_int, [_H, _I64P]),
    "mproc_command_exitcode": (c_int, [_H, _IP]),
    "mproc_command_free": (None, [_H]),
    "mproc_command_capture": (c_int, [POINTER(c_char_p), _H, c_void_p, c_size_t,
                                      c_int64, _HP]),
    "mproc_capture_exitcode": (c_int, [_H, _IP]),
    "mproc_capture_stdout": (c_int, [_H, _VPP, _SZP]),
    "mproc_capture_stderr": (c_int, [_H, _VPP, _SZP]),
    "mproc_capture_free": (None, [_H]),
    # authkey.h
    "mproc_authkey_get": (c_int, [c_void_p, c_size_t, _SZP]),
    "mproc_authkey_set": (c_int, [c_void_p, c_size_t]),
    # listener.h
    "mproc_net_opts_new": (c_int, [_HP]),
    "mproc_net_opts_free": (None, [_H]),
    "mproc_net_opts_set_authkey": (c_int, [_H, c_void_p, c_size_t]),
    "mproc_net_opts_set_no_auth": (c_int, [_H, c_int]),
    "mproc_net_opts_set_handshake_timeout": (c_int, [_H, c_int64]),
    "mproc_net_opts_set_accept_md5": (c_int, [_H, c_int]),
    "mproc_net_opts_set_max_message": (c_int, [_H, c_size_t]),
    "mproc_net_opts_set_send_buffer": (c_int, [_H, c_size_t]),
    "mproc_listener_new": (c_int, [_HP, c_char_p, _H]),
    "mproc_listener_accept": (c_int, [_H, _HP, c_int64]),
    "mproc_listener_address": (c_int, [_H, _CSP]),
    "mproc_listener_fileno": (c_int, [_H, _IP]),
    "mproc_listener_close": (c_int, [_H]),
    "mproc_listener_free": (None, [_H]),
    "mproc_conn_connect": (c_int, [_HP, c_char_p, _H, c_int64]),
    "mproc_conn_flush": (c_int, [_H, c_int64]),
    # wait.h
    "mproc_waitset_new": (c_int, [_HP]),
    "mproc_waitset_free": (None, [_H]),
    "mproc_waitset_add_conn": (c_int, [_H, _H, _SZP]),
    "mproc_waitset_add_listener": (c_int, [_H, _H, _SZP]),
    "mproc_waitset_add_queue": (c_int, [_H, _H, _SZP]),
    "mproc_waitset_add_fd": (c_int, [_H, c_int, _SZP]),
    "mproc_waitset_wait": (c_int, [_H, c_int64, _SZP, c_size_t, _SZP]),
    "mproc_queue_fileno": (c_int, [_H, _IP]),
    # task.h, process.h: running Python callables in children
    "mproc_main": (c_int, [c_int, POINTER(c_char_p)]),
    "mproc_set_executable": (c_int, [c_char_p, POINTER(c_char_p), c_size_t]),
    "mproc_task_register": (c_int, [c_char_p, c_void_p, c_void_p]),
    "mproc_args_new": (c_int, [_HP]),
    "mproc_args_free": (None, [_H]),
    "mproc_args_add_bytes": (c_int, [_H, c_void_p, c_size_t]),
    "mproc_args_get_bytes": (c_int, [_H, c_size_t, _VPP, _SZP]),
    "mproc_args_count": (c_int, [_H, _SZP]),
    "mproc_process_opts_new": (c_int, [_HP]),
    "mproc_process_opts_free": (None, [_H]),
    "mproc_process_opts_set_name": (c_int, [_H, c_char_p]),
    "mproc_process_opts_set_daemon": (c_int, [_H, c_int]),
    "mproc_process_new": (c_int, [_HP, c_char_p, _H, _H]),
    "mproc_process_start": (c_int, [_H]),
    "mproc_process_join": (c_int, [_H, c_int64]),
    "mproc_process_is_alive": (c_int, [_H, _IP]),
    "mproc_process_terminate": (c_int, [_H]),
    "mproc_process_kill": (c_int, [_H]),
    "mproc_process_pid": (c_int, [_H, _I64P]),
    "mproc_process_exitcode": (c_int, [_H, _IP]),
    "mproc_process_sentinel": (c_int, [_H, _IP]),
    "mproc_process_free": (None, [_H]),
    "mproc_current_process_name": (c_char_p, []),
    "mproc_current_process_is_daemon": (c_int, []),
    "mproc_parent_pid": (c_int64, []),
    # pool.h
    "mproc_result_set": (c_int, [_H, c_void_p, c_size_t]),
    "mproc_pool_opts_new": (c_int, [_HP]),
    "mproc_pool_opts_free": (None, [_H]),
    "mproc_pool_opts_set_processes": (c_int, [_H, c_size_t]),
    "mproc_pool_opts_set_initializer": (c_int, [_H, c_char_p, _H]),
    "mproc_pool_opts_set_maxtasksperchild": (c_int, [_H, c_size_t]),
    "mproc_task_opts_new": (c_int, [_HP]),
    "mproc_task_opts_free": (None, [_H]),
    "mproc_task_opts_set_timeout": (c_int, [_H, c_int64]),
    "mproc_task_opts_set_callback": (c_int, [_H, c_void_p, c_void_p]),
    "mproc_pool_new": (c_int, [_HP, _H]),
    "mproc_pool_processes": (c_int, [_H, _SZP]),
    "mproc_pool_worker_pids": (c_int, [_H, _I64P, c_size_t, _SZP]),
    "mproc_pool_apply_async": (c_int, [_H, c_char_p, c_void_p, c_size_t, _H, _HP]),
    "mproc_pool_close": (c_int, [_H]),
    "mproc_pool_terminate": (c_int, [_H]),
    "mproc_pool_join": (c_int, [_H, c_int64]),
    "mproc_pool_free": (None, [_H]),
    "mproc_future_wait": (c_int, [_H, c_int64]),
    "mproc_future_ready": (c_int, [_H, _IP]),
    "mproc_future_result": (c_int, [_H, _HP, c_int64]),
    "mproc_future_result_view": (c_int, [_H, _VPP, _SZP, c_int64]),
    "mproc_future_free": (None, [_H]),
    "mproc_completions_new": (c_int, [_HP]),
    "mproc_completions_free": (None, [_H]),
    "mproc_completions_take": (c_int, [_H, c_void_p, c_size_t, _SZP, c_int64]),
    "mproc_pool_apply_async_to": (c_int, [_H, c_char_p, c_void_p, c_size_t, _H, _H, c_uint64]),
    "mproc_args_add_lock": (c_int, [_H, _H]),
    "mproc_args_get_lock": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_rlock": (c_int, [_H, _H]),
    "mproc_args_get_rlock": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_sem": (c_int, [_H, _H]),
    "mproc_args_get_sem": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_event": (c_int, [_H, _H]),
    "mproc_args_get_event": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_barrier": (c_int, [_H, _H]),
    "mproc_args_get_barrier": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_cond": (c_int, [_H, _H]),
    "mproc_args_get_cond": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_queue": (c_int, [_H, _H]),
    "mproc_args_get_queue": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_shm": (c_int, [_H, _H]),
    "mproc_args_get_shm": (c_int, [_H, c_size_t, _HP]),
    "mproc_args_add_conn": (c_int, [_H, _H]),
    "mproc_args_get_conn": (c_int, [_H, c_size_t, _HP]),
}

def _installed_libdir():
    """Where `meson install` put the library, when it installed this
    package too (mproc/_install.py, written at configure time)."""
    try:
        from . import _install
    except ImportError:
        return None
    return _install.LIBDIR


def _pkg_config_libdir():
    """pkg-config's libdir of mproc, if pkg-config and mproc.pc are there."""
    import shutil
    import subprocess
    exe = shutil.which("pkg-config")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--variable=libdir", "mproc"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


_SONAME = "libmproc.so.0"


def _candidates():
    """The places to load the library from, in order: $MPROC_LIBRARY
    alone when set; else the libdir `meson install` recorded, the dynamic
    loader's own search (LD_LIBRARY_PATH, the ld.so cache), then
    ctypes.util.find_library and pkg-config's libdir."""
    path = os.environ.get("MPROC_LIBRARY")
    if path:
        yield path
        return
    libdir = _installed_libdir()
    if libdir:
        yield os.path.join(libdir, _SONAME)
    yield _SONAME
    found = ctypes.util.find_library("mproc")
    if found:
        yield found
    libdir = _pkg_config_libdir()
    if libdir:
        yield os.path.join(libdir, _SONAME)


def _open():
    tried = []
    for path in _candidates():
        if os.path.isabs(path) and not os.path.exists(path):
            tried.append(f"{path} (no such file)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append(f"{path} ({exc})")
    raise LibraryError(
        "cannot load the mproc library; tried " + "; ".join(tried) +
        ". Install it (meson install), or set MPROC_LIBRARY to the full path "
        "of libmproc.so.0") from None


def _load():
    lib, path = _open()
    # The version first: a library of another major may lack symbols, and
    # "wrong version" is the message that helps then.
    for name in ("mproc_version", "mproc_version_string"):
        _declare(lib, path, name)
    check_version(lib.mproc_version(), lib.mproc_version_string().decode(), path)
    for name in _SIGNATURES:
        _declare(lib, path, name)
    return lib, path


def _declare(lib, path, name):
    restype, argtypes = _SIGNATURES[name]
    try:
        fn = getattr(lib, name)
    except AttributeError:
        raise LibraryError(
            f"the mproc library at {path!r} has no symbol {name}: it is "
            f"older than this binding") from None
    fn.restype = restype
    fn.argtypes = argtypes


def check_version(number, text, path):
    """Refuses a library of another major version than EXPECTED_MAJOR."""
    if number // 10000 != EXPECTED_MAJOR:
        raise LibraryError(
            f"the mproc library at {path!r} is version {text} (major "
            f"{number // 10000}), but this binding needs major version "
            f"{EXPECTED_MAJOR}")


lib, path = _load()
