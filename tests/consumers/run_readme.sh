#!/usr/bin/env bash
# Runs the "use it from your own project" block of a binding's README, as
# written, against mproc installed into a prefix, in a scratch directory
# outside the source tree, and checks the line the program prints.
#   run_readme.sh BUILD_DIR README EXPECTED_LINE
# The block is the fenced shell code between the README's
# "<!-- consumer:begin" and "<!-- consumer:end -->" lines; it runs with
# PREFIX (the install prefix) and MPROC_SRC (the source tree) set, as the
# README says, and nothing of the build tree in the environment.
set -euo pipefail
build_dir=$(cd "$1" && pwd)
readme=$2
expected=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

steps=$(awk '/^<!-- consumer:begin/ {on = 1; next} /^<!-- consumer:end/ {on = 0} on && !/^```/' "$readme")
if [[ -z $steps ]]; then
  echo "no consumer block in $readme" >&2
  exit 1
fi

PREFIX=$("$here/prefix.sh" "$build_dir")
MPROC_SRC=$(cd "$here/../.." && pwd)
export PREFIX MPROC_SRC
unset LD_LIBRARY_PATH MPROC_LIB_DIR PKG_CONFIG_PATH CARGO_TARGET_DIR CGO_CFLAGS CGO_LDFLAGS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SCRATCH=$work

out=$(cd "$work" && bash -euo pipefail -c "$steps")
printf '%s\n' "$out"
if ! grep -qxF -- "$expected" <<<"$out"; then
  echo "FAIL: the README's program did not print: $expected" >&2
  exit 1
fi
echo "ok: $readme's consumer block built and ran against $PREFIX"
