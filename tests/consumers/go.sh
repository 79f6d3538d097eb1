#!/usr/bin/env bash
# The Go README's "use it from your own project", verbatim, against an
# installed mproc. Exits 77 (skipped) without go. Offline: no module proxy
# (GOPROXY=off); Go's caches live in the scratch directory.
#   go.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "go not found: skipping the Go consumer test" >&2
  exit 77
fi
cache=$(mktemp -d)
trap 'chmod -R u+w "$cache"; rm -rf "$cache"' EXIT
export GOCACHE=$cache/cache GOPATH=$cache/path GOMODCACHE=$cache/path/pkg/mod
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=1
"$here/run_readme.sh" "$1" "$here/../../bindings/go/README.md" "squares: 1 4 9 16"
