#!/usr/bin/env bash
# bindings/go/README.md's "use it from your own project" block, as
# written: a new module replacing mproc's by the source tree, built and run
# against the shared install. Skipped without go. Offline (no module
# proxy); Go's caches live in the scratch directory.
# Arguments: the build directory, the source directory.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
consumers_need go pkg-config
consumers_install
# Only the README's CGO_LDFLAGS rpath may find the library at run time: not
# the LD_LIBRARY_PATH of README.md's env.sh block, which the Go README does
# not ask for.
unset LD_LIBRARY_PATH
export MPROC_SRC=$consumers_source_dir
export GOCACHE=$consumers_work/cache GOPATH=$consumers_work/path GOMODCACHE=$consumers_work/path/pkg/mod
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=1
run_block go/hello.sh "$consumers_work" "$consumers_source_dir/bindings/go/README.md"
grep -qxF 'squares: 1 4 9 16' <<<"$block_output" || fail "the program did not print squares: 1 4 9 16"
echo "go: ok"
