"""Listener, Client and wait(), as multiprocessing.connection's, over mproc's
listeners and clients (mproc/listener.h, mproc/wait.h); and the process's
authentication key (mproc/authkey.h).

The wire protocol is Python's own, so either side may be the standard
library's multiprocessing.connection with the same authkey. Addresses are
Python's -- ("host", port) for TCP, a path for a Unix socket, "\\0name" for
a Linux abstract name -- or mproc's text forms ("tcp:127.0.0.1:0",
"unix:/path", "abstract:name").
"""
import ctypes

from . import _errors
from ._handle import Handle, as_bytes, timeout_ms
from ._lib import lib
from .connection import Connection

__all__ = ["Listener", "Client", "wait", "current_authkey", "set_authkey"]


def current_authkey():
    """This process's key: 32 random bytes in a main process, inherited by
    the children mproc starts."""
    size = ctypes.c_size_t()
    rc = lib.mproc_authkey_get(None, 0, ctypes.byref(size))
    if rc not in (0, _errors.ETOOBIG):
        raise _errors.error_from(rc)
    buf = ctypes.create_string_buffer(size.value)
    _errors.check(lib.mproc_authkey_get(buf, size.value, ctypes.byref(size)))
    return buf.raw[:size.value]


def set_authkey(key):
    """Replaces this process's key (bytes, 1 to 1024 of them)."""
    key = as_bytes(key)
    _errors.check(lib.mproc_authkey_set(key, len(key)))


def _address_text(address):
    if isinstance(address, tuple):
        host, port = address
        host = f"[{host}]" if ":" in host else host
        return f"tcp:{host}:{int(port)}"
    if isinstance(address, bytes):
        address = address.decode()
    if address.startswith("\0"):
        return "abstract:" + address[1:]
    for prefix in ("unix:", "abstract:", "tcp:"):
        if address.startswith(prefix):
            return address
    return "unix:" + address


def _python_address(text):
    kind, _, rest = text.partition(":")
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        return (host.strip("[]"), int(port))
    if kind == "abstract":
        return "\0" + rest
    return rest


class _Options:
    """An mproc_net_opts_t for one call."""

    def __init__(self, authkey, handshake_timeout=None, accept_md5=True, max_message=None,
                 send_buffer=None):
        self.ptr = ctypes.c_void_p()
        _errors.check(lib.mproc_net_opts_new(ctypes.byref(self.ptr)))
        try:
            if authkey is None:
                _errors.check(lib.mproc_net_opts_set_no_auth(self.ptr, 1))
            else:
                key = as_bytes(authkey)
                _errors.check(lib.mproc_net_opts_set_authkey(self.ptr, key, len(key)))
            if handshake_timeout is not None:
                _errors.check(lib.mproc_net_opts_set_handshake_timeout(
                    self.ptr, timeout_ms(handshake_timeout)))
            _errors.check(lib.mproc_net_opts_set_accept_md5(self.ptr, 1 if accept_md5 else 0))
            if max_message is not None:
                _errors.check(lib.mproc_net_opts_set_max_message(self.ptr, max_message))
            if send_buffer is not None:
                _errors.check(lib.mproc_net_opts_set_send_buffer(self.ptr, send_buffer))
        except BaseException:
            self.close()
            raise

    def close(self):
        lib.mproc_net_opts_free(self.ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_DEFAULT = object()


class Listener(Handle):
    """multiprocessing.connection.Listener. `authkey` defaults to this
    process's key; None means no authentication, as in Python. accept()
    returns an mproc.Connection and raises AuthenticationError (an
    mproc.MprocError and a multiprocessing.AuthenticationError) for a peer
    that failed to authenticate -- the listener goes on."""

    _free = lib.mproc_listener_free
    _kind = "listener"

    def __init__(self, address=None, family=None, backlog=1, authkey=_DEFAULT, **options):
        del family, backlog  # chosen by the address; the library's backlog is larger
        key = current_authkey() if authkey is _DEFAULT else authkey
        ptr = ctypes.c_void_p()
        text = None if address is None else _address_text(address).encode()
        with _Options(key, **options) as opts:
            _errors.check(lib.mproc_listener_new(ctypes.byref(ptr), text, opts.ptr))
        self._adopt(ptr.value)

    def accept(self, timeout=None):
        """The next authenticated connection, waiting at most `timeout`
        seconds (None: for ever; TimeoutError after)."""
        out = ctypes.c_void_p()
        self._call(lib.mproc_listener_accept, ctypes.byref(out), timeout_ms(timeout))
        return Connection._wrap(out.value)

    @property
    def address(self):
        """Python's form of the address as bound (the port filled in)."""
        text = ctypes.c_char_p()
        self._call(lib.mproc_listener_address, ctypes.byref(text))
        return _python_address(text.value.decode())

    @property
    def last_accepted(self):
        return None  # the library does not keep it; Python's is the peer's address

    def fileno(self):
        fd = ctypes.c_int()
        self._call(lib.mproc_listener_fileno, ctypes.byref(fd))
        return fd.value


def Client(address, family=None, authkey=_DEFAULT, timeout=30.0, **options):
    """multiprocessing.connection.Client: connects and authenticates, within
    `timeout` seconds."""
    del family
    key = current_authkey() if authkey is _DEFAULT else authkey
    out = ctypes.c_void_p()
    with _Options(key, **options) as opts:
        _errors.check(lib.mproc_conn_connect(ctypes.byref(out), _address_text(address).encode(),
                                             opts.ptr, timeout_ms(timeout)))
    return Connection._wrap(out.value)


def wait(object_list, timeout=None):
    """multiprocessing.connection.wait: the objects of `object_list` that are
    ready (mproc Connections, Listeners and Queues, and descriptors given as
    ints), waiting at most `timeout` seconds (None: for ever); [] on
    timeout."""
    objects = list(object_list)
    ws = ctypes.c_void_p()
    _errors.check(lib.mproc_waitset_new(ctypes.byref(ws)))
    entered = []
    try:
        slots = {}
        for obj in objects:
            slot = ctypes.c_size_t()
            if isinstance(obj, int):
                rc = lib.mproc_waitset_add_fd(ws, obj, ctypes.byref(slot))
            else:
                add = {Connection: lib.mproc_waitset_add_conn,
                       Listener: lib.mproc_waitset_add_listener}.get(type(obj))
                if add is None and hasattr(obj, "qsize"):
                    add = lib.mproc_waitset_add_queue
                if add is None:
                    raise TypeError(f"wait() can not wait on {type(obj).__name__}")
                ptr = obj._enter()
                entered.append(obj)
                rc = add(ws, ptr, ctypes.byref(slot))
            _errors.check(rc)
            slots[slot.value] = obj
        ready = (ctypes.c_size_t * max(1, len(objects)))()
        count = ctypes.c_size_t()
        rc = lib.mproc_waitset_wait(ws, timeout_ms(timeout), ready, len(objects),
                                    ctypes.byref(count))
        if rc == _errors.ETIMEDOUT:
            return []
        _errors.check(rc)
        return [slots[ready[i]] for i in range(min(count.value, len(objects)))]
    finally:
        lib.mproc_waitset_free(ws)
        for obj in entered:
            obj._leave()
