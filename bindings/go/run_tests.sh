#!/usr/bin/env bash
# Runs the Go binding's tests against a Meson build of mproc.
#   bindings/go/run_tests.sh <build-dir> [go test flags, e.g. -v -run Queue]
# Exits 77 (Meson's "skipped") when no Go toolchain is installed, non-zero
# when a test fails. Works offline: the package needs only the standard
# library, and every Go cache lives inside the build directory.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <build-dir> [go test flags]" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v go >/dev/null 2>&1; then
  echo "go not found: skipping the Go binding's tests" >&2
  exit 77
fi
if [[ ! -e "$build_dir/src/libmproc.so" ]]; then
  echo "$build_dir/src/libmproc.so not found: build mproc first" >&2
  exit 2
fi

export CGO_ENABLED=1
# The package finds mproc with `#cgo pkg-config: mproc`: here the build's
# uninstalled .pc file; the rpath lets the test binaries load it from there.
export PKG_CONFIG_PATH="$build_dir/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export CGO_LDFLAGS="-Wl,-rpath,$build_dir/src"
export GOCACHE="$build_dir/go-cache"
export GOPATH="$build_dir/go-path"
export GOFLAGS=-mod=mod
export GOPROXY=off
export GOTOOLCHAIN=local
export GOTELEMETRY=off

cd "$here"
exec go test -count=1 -p 1 -timeout 300s "$@" ./...
