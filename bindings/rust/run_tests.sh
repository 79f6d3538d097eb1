#!/bin/sh
# Builds and tests the Rust binding against the libmproc of a Meson build.
#   run_tests.sh BUILD_DIR [extra cargo test arguments...]
# Cargo's output goes under BUILD_DIR/rust-target, never into the sources.
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [cargo test arguments...]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
shift

if ! command -v cargo >/dev/null 2>&1; then
  PATH="/root/.cargo/bin:$PATH"
  export PATH
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "$0: cargo not found" >&2
  exit 77 # Meson's "skipped"
fi

cd "$(dirname "$0")"
MPROC_LIB_DIR="$build_dir/src"
CARGO_TARGET_DIR="$build_dir/rust-target"
export MPROC_LIB_DIR CARGO_TARGET_DIR
exec cargo test --offline "$@"
