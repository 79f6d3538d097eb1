#!/usr/bin/env bash
# bindings/rust/README.md's "use it from your own project" block, as
# written: a new Cargo project depending on the crate by path, built and
# run against the shared install. Skipped without cargo.
# Arguments: the build directory, the source directory.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
[[ -d $HOME/.cargo/bin ]] && PATH="$PATH:$HOME/.cargo/bin"
consumers_need cargo pkg-config
consumers_install
export MPROC_SRC=$consumers_source_dir
run_block rust/hello.sh "$consumers_work" "$consumers_source_dir/bindings/rust/README.md"
grep -qxF 'squares: [1, 4, 9, 16]' <<<"$block_output" || fail "the program did not print squares: [1, 4, 9, 16]"
echo "rust: ok"
