#!/usr/bin/env bash
# The Rust README's "use it from your own project", verbatim, against an
# installed mproc. Exits 77 (skipped) without cargo.
#   rust.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -d $HOME/.cargo/bin ]] && PATH="$PATH:$HOME/.cargo/bin"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: skipping the Rust consumer test" >&2
  exit 77
fi
exec "$here/run_readme.sh" "$1" "$here/../../bindings/rust/README.md" "squares: [1, 4, 9, 16]"
