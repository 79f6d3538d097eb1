#!/usr/bin/env bash
# Runs a test in private namespaces made with unshare(1), which needs root
# (CI runs as root) or unprivileged user namespaces. Exits 77 (Meson's
# "skipped") with the reason when neither is available.
#   run_in_namespace.sh small-shm PROGRAM   a 1 MiB tmpfs on /dev/shm
#   run_in_namespace.sh pidns PROGRAM       PROGRAM's peer in a new pid namespace
set -euo pipefail
mode=$1
program=$2

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  # Unprivileged: a user namespace in which we are root.
  as_root=(--user --map-root-user)
fi
if ! unshare "${as_root[@]}" --mount --pid --fork true 2>/dev/null; then
  echo "SKIP: unshare cannot make mount and pid namespaces here (needs root or user namespaces)"
  exit 77
fi

case "$mode" in
  small-shm)
    exec unshare "${as_root[@]}" --mount sh -c \
      'mount -t tmpfs -o size=1m,mode=1777 mproc-small-shm /dev/shm && exec "$0"' "$program"
    ;;
  pidns)
    exec "$program" unshare "${as_root[@]}" --pid --fork "$program"
    ;;
  *)
    echo "unknown mode $mode" >&2
    exit 2
    ;;
esac
