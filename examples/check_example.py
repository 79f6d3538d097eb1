#!/usr/bin/env python3
"""Runs one example program and checks the invariants of its output -- what
must hold whatever the interleaving of its processes -- rather than an exact
transcript.

    check_example.py <example-name> <program> [args...]
"""
import os
import re
import shlex
import subprocess
import sys
import time

# In a cross build (Windows under Wine) Meson gives tests the exe wrapper in
# $MESON_EXE_WRAPPER: programs of the build run through it.
WRAPPER = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
# A Windows program that waits for a pid to end (tests/win/wait_gone.c).
WAIT_GONE = os.environ.get("MPROC_WAIT_GONE")


class Failed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


def count(lines, pattern):
    return sum(1 for ln in lines if re.search(pattern, ln))


def first_index(lines, pattern):
    for i, ln in enumerate(lines):
        if re.search(pattern, ln):
            return i
    raise Failed(f"no line matches {pattern!r}")


def pid_disappears(pid, seconds=10):
    if WAIT_GONE:  # a Windows pid
        run = subprocess.run(WRAPPER + [WAIT_GONE, str(pid), str(seconds * 1000)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=seconds + 60)
        if run.returncode not in (0, 1):
            raise Failed(f"wait-gone failed: {run.stdout.strip()}")
        return run.returncode == 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}"):
            return True
        with open(f"/proc/{pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] in "ZX":
                return True
        time.sleep(0.05)  # polling /proc: there is nothing to wait on
    return False


def process_function(lines):
    expect(first_index(lines, r"^child 1 is running$") < first_index(lines, r"^child 1 is done$"),
           "running before done")
    expect(count(lines, r"^main process goes on$") == 1, "the parent goes on")


def four_processes(lines):
    expect(count(lines, r" is piaoing$") == 4, "four start")
    expect(count(lines, r" piao end$") == 4, "four end")
    # A start returns once the child has started, and the last child works
    # 0.25 s after that, so a parent that does not wait prints before the
    # last child ends. Earlier children may end first: starting a process
    # can take longer than their 0.1 s of work (under Wine, under ASan, on
    # a loaded machine), which says nothing about waiting.
    ends = [i for i, ln in enumerate(lines) if ln.endswith(" piao end")]
    expect(first_index(lines, r"all four started") < ends[-1],
           "the parent prints without waiting for the children")
    expect(lines[-1] == "main: all four done", "the parent ends last")


def subclass(lines):
    parent = re.search(r"^parent (\d+) starts", lines[0]).group(1)
    expect(count(lines, rf"^child \d+ running, parent {parent}$") == 1, "child knows its parent")
    expect(count(lines, r"child exit code 0$") == 1, "exit code")


def join_orders(lines):
    # What is not spent starting: the children's work and the joins.
    # Starting a process may take longer than these children work (under
    # Wine, on a loaded machine), and says nothing about how they overlap.
    text = "\n".join(lines)
    serial, s_start = map(float, re.search(
        r"one by one: ([\d.]+) s \(([\d.]+) s of it starting\)", text).groups())
    parallel, p_start = map(float, re.search(
        r"all at once: ([\d.]+) s \(([\d.]+) s of it starting\)", text).groups())
    serial, parallel = serial - s_start, parallel - p_start
    expect(serial >= 0.55, f"three in a row work >= 0.6 s ({serial:.2f})")
    expect(parallel < serial - 0.2, f"side by side is faster ({parallel:.2f} vs {serial:.2f})")


def terminate(lines):
    expect("before terminate: alive=1" in lines, "alive before")
    expect(count(lines, r"after terminate and join: alive=0 exitcode=-15") == 1, "dead after")


def fork_getpid(lines):
    text = "\n".join(lines)
    child, child_parent = re.search(r"I am the child (\d+), my parent is (\d+)", text).groups()
    parent, parent_child = re.search(r"I am the parent (\d+), my child is (\d+)", text).groups()
    expect(child == parent_child and parent == child_parent, "they know each other")


def pid_name(lines):
    text = "\n".join(lines)
    for name in ("Process-1", "Process-2", "mark1"):
        pid = re.search(rf"parent says: {name} has pid (\d+)", text).group(1)
        expect(re.search(rf"child says: I am {name}, pid {pid}$", text, re.M), f"{name} agrees")


def tickets(lines):
    expect(count(lines, r"bought a ticket$") == 3, "exactly three tickets sold")
    expect(count(lines, r"found none left$") == 7, "seven buyers left empty-handed")
    expect("tickets left: 0" in lines, "stock is empty")


def rooms(lines):
    inside = most = 0
    for ln in lines:
        if ln.endswith(" enters"):
            inside += 1
        elif ln.endswith(" leaves"):
            inside -= 1
        most = max(most, inside)
    expect(count(lines, r" enters$") == 5 and count(lines, r" leaves$") == 5, "five visits")
    expect(most <= 2, f"at most two inside (saw {most})")


def producer_consumer(lines):
    eaten = [ln for ln in lines if ln.startswith("consumer ate ")]
    expect(eaten == [f"consumer ate bun {i}" for i in range(5)], "five buns in order")
    expect(count(lines, r"^producer made bun \d$") == 5, "five made")
    expect(lines[-1] == "main: both done", "main waits for both")


def joinable_queue(lines):
    handled = [i for i, ln in enumerate(lines) if ln.startswith("consumer handled ")]
    expect(len(handled) == 5, "five handled")
    expect(first_index(lines, r"every item was handled") > max(handled), "join waited")
    expect(lines[-1].startswith("main: done"), "main ends")


def pool_c(lines):
    expect(lines[0] == "--start--" and lines[-1] == "--end--", "start and end")
    workers = set()
    for i in range(7):
        m = re.search(rf"^task {i} ran in worker (\d+)$", "\n".join(lines), re.M)
        expect(m, f"task {i} ran")
        workers.add(m.group(1))
    expect(1 <= len(workers) <= 5, "at most five workers")


def pool_cpp(lines):
    for i in range(7):
        expect(f"{i} squared is {i * i}" in lines, f"{i} squared")
    expect("map: 49 64 81" in lines, "map")


def echo_server(lines):
    for c in range(3):
        for i in range(3):
            expect(f"client {c} got: HELLO {i} FROM CLIENT {c}" in lines, f"client {c} msg {i}")
    expect("server: served 3 clients" in lines, "served")


def auth_echo_server(lines):
    expect(re.match(r"^serving on tcp:127\.0\.0\.1:\d+$", lines[0]) is not None, "address")
    for c in range(3):
        for i in range(3):
            expect(f"client {c} got: HELLO {i} FROM CLIENT {c}" in lines, f"client {c} msg {i}")
    expect("intruder: refused (EAUTH)" in lines, "intruder refused")
    expect("server: refused 1 peer(s) without the key" in lines, "server refused one")
    expect("server: served 3 clients" in lines, "served")


def listener_uv_loop(lines):
    for c in range(2):
        expect(f"loop: answered client {c}" in lines, f"answered {c}")
        expect(f"client {c} got: welcome, client {c}" in lines, f"client {c} answered")
    for p in range(2):
        for i in range(3):
            expect(f"loop: got item {i} from producer {p}" in lines, f"item {i} of {p}")
    expect("loop: 2 clients and 6 items, one loop" in lines, "done")


def active_children(lines):
    expect(int(re.search(r"^CPUs: (\d+)$", lines[0]).group(1)) >= 1, "cpu count")
    expect("active children: 3" in lines, "three running")
    expect(count(lines, r"^  child pid \d+$") == 3, "three pids")
    expect("active children after join: 0" in lines, "none after join")


def daemon(lines):
    pid = int(re.search(r"^daemon pid (\d+)$", "\n".join(lines), re.M).group(1))
    expect("main: exiting" in lines, "main exits")
    expect(pid_disappears(pid), f"daemon {pid} ended with its parent")


CHECKS = {
    "process-function": process_function, "four-processes": four_processes,
    "subclass": subclass, "join-orders": join_orders, "terminate": terminate,
    "fork-getpid": fork_getpid, "pid-name": pid_name, "tickets": tickets, "tickets-dict": tickets,
    "rooms": rooms, "producer-consumer": producer_consumer,
    "producer-consumer-cpp": producer_consumer, "joinable-queue": joinable_queue,
    "pool": pool_c, "pool-cpp": pool_cpp, "echo-server": echo_server,
    "active-children": active_children, "auth-echo-server": auth_echo_server,
    "listener-uv-loop": listener_uv_loop, "daemon": daemon, "daemon-killed": daemon,
}


def main():
    name, argv = sys.argv[1], sys.argv[2:]
    run = subprocess.run(WRAPPER + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=120)
    lines = [ln for ln in run.stdout.splitlines() if ln]
    killed = name == "daemon-killed"
    # Killed: -SIGKILL; on Windows the exit code 0x10000 + 9 that mproc's
    # kill uses, which wine64 cuts to 8 bits (tests/win/wine.sh).
    killed_status = (0x10000 + 9) & 0xFF if WRAPPER else -9
    try:
        expect(run.returncode == (killed_status if killed else 0), f"exit status {run.returncode}")
        CHECKS[name](lines)
    except (Failed, AttributeError, ValueError, IndexError) as err:
        print(f"{name}: FAILED: {err}\n--- output ---\n{run.stdout}\n--- stderr ---\n{run.stderr}")
        return 1
    print(f"{name}: ok ({len(lines)} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
