#!/usr/bin/env python3
"""Python's own multiprocessing.connection as the peer of mproc's listeners
and clients (tests/interop/test_auth_interop.c). Standard library only.

    py_auth_peer.py client ADDRESS KEYHEX COUNT
        Client(ADDRESS, authkey): receives COUNT messages and sends each
        back reversed, then sends b"python done" and waits for the end.
    py_auth_peer.py listener ADDRESS KEYHEX
        Listener(ADDRESS, authkey=...): prints its address (mproc's form)
        on one line, accepts one client, sends each message back reversed
        until the client closes.

ADDRESS is mproc's form: unix:/path, abstract:name, tcp:host:port (tcp:...:0
lets the listener pick a port). Exit status 0, or 3 after
multiprocessing.AuthenticationError (printed on stdout).
"""
import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener


def python_address(text):
    kind, _, rest = text.partition(":")
    if kind == "unix":
        return rest
    if kind == "abstract":
        return "\0" + rest
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        return (host.strip("[]"), int(port))
    raise SystemExit("unknown address form: " + text)


def mproc_address(address):
    if isinstance(address, tuple):
        return "tcp:%s:%d" % address
    if isinstance(address, bytes):  # an abstract name, as getsockname gives it
        address = address.decode()
    if address.startswith("\0"):
        return "abstract:" + address[1:]
    return "unix:" + address


def run_client(address, key, count):
    with Client(python_address(address), authkey=key) as conn:
        for _ in range(count):
            conn.send_bytes(conn.recv_bytes()[::-1])
        conn.send_bytes(b"python done")
        try:
            conn.recv_bytes()
        except EOFError:
            pass


def run_listener(address, key):
    with Listener(python_address(address), authkey=key) as listener:
        print(mproc_address(listener.address), flush=True)
        with listener.accept() as conn:
            while True:
                try:
                    message = conn.recv_bytes()
                except EOFError:
                    break
                conn.send_bytes(message[::-1])


def main():
    mode, address, key = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
    try:
        if mode == "client":
            run_client(address, key, int(sys.argv[4]))
        else:
            run_listener(address, key)
    except AuthenticationError as e:
        print("AuthenticationError:", e, flush=True)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
