#!/usr/bin/env bash
# The demo: installs what is missing, builds, runs a short tour of the
# ported multiprocessing tutorial programs, then a one-screen benchmark
# summary against Python's multiprocessing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/setup.sh"
cd "$mproc_root"

mproc_install_packages
echo "==> building (meson + ninja, build/)"
mproc_build build >/dev/null

bin=build/examples
stop() {
  echo
  printf '\033[1m== %s\033[0m\n' "$1"
  printf '   %s\n\n' "$2"
}

echo
echo "mproc $($bin/hello-mproc --version): multiprocessing for native code"

stop "A process running a function with arguments" \
     "the parent goes on at once; the child works, then says it is done"
$bin/process-function

stop "Four processes started together (C++)" \
     "the parent prints before any of them ends"
$bin/four-processes

stop "Python's subclassing style (C++): a class whose run() is the child" \
     "the object is rebuilt in the spawned child from its arguments"
$bin/subclass

stop "Join one by one, or start all and join all" \
     "three children of 200 ms each: 0.6 s in a row, 0.2 s side by side"
$bin/join-orders

stop "terminate, then is_alive" "exit code -15: ended by SIGTERM"
$bin/terminate

stop "A daemon ends with its parent" "it would tick for ever"
$bin/daemon

stop "The ticket office: a Lock around a JSON file" \
     "ten buyers, three tickets: exactly three succeed"
$bin/tickets

stop "Semaphore(2): a room with two places (C++)" "never more than two inside"
$bin/rooms

stop "Producer and consumer through a Queue, with a sentinel" ""
$bin/producer-consumer

stop "A JoinableQueue with a daemon consumer (C++)" \
     "the producer's join() returns once every item was marked done"
$bin/joinable-queue

stop "A Pool of 5 running 7 tasks" "apply_async, close, join"
$bin/pool

stop "A TCP echo server handing each connection to a child" \
     "the accepted socket travels to the child as an argument"
$bin/echo-server

stop "cpu_count and active_children" ""
$bin/active-children

stop "Benchmarks: mproc against Python's multiprocessing, side by side" \
     "medians of 3 runs each, measured now on this machine (full set: python3 bench/run.py --build-dir build)"
python3 bench/run.py --build-dir build -n 3 --brief -b python \
  -k start_join_spawn -k start_join_fork -k conn_pingpong -k conn_throughput_64B \
  -k lock_uncontended -k handoff -k queue_throughput_64B_1x1 -k queue_throughput_1MiB_1x1 \
  -k queue_roundtrip -k pool_apply_async -k pool_map
echo
echo "Speedup is how many times better mproc is (above 1: mproc wins)."
