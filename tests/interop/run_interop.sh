#!/usr/bin/env bash
# Builds the Rust and Go sides of the interoperation test, then runs the C
# driver with a Python, a Rust and a Go peer on one named queue.
#   run_interop.sh <build-dir> <driver> [count]
set -euo pipefail
build_dir=$(cd "$1" && pwd)
driver=$2
count=${3:-1000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -d "$HOME/.cargo/bin" ] && export PATH="$PATH:$HOME/.cargo/bin"

(cd "$root/bindings/rust" &&
  MPROC_LIB_DIR="$build_dir/src" CARGO_TARGET_DIR="$build_dir/rust-target" \
    cargo build --offline --quiet --example interop)
rust_peer="$build_dir/rust-target/debug/examples/interop"

export CGO_ENABLED=1 GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on
export PKG_CONFIG_PATH="$build_dir/meson-uninstalled" CGO_LDFLAGS="-Wl,-rpath,$build_dir/src"
export GOCACHE="$build_dir/go-cache" GOPATH="$build_dir/go-path"
go_peer="$build_dir/interop-go"
(cd "$root/bindings/go" && go build -o "$go_peer" ./cmd/interop)

export MPROC_LIBRARY="$build_dir/src/libmproc.so.0"
exec "$driver" "$count" \
  python python3 "$root/bindings/python/interop.py" -- \
  rust "$rust_peer" -- \
  go "$go_peer"
