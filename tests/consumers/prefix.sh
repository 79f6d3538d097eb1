#!/usr/bin/env bash
# Installs mproc into a prefix the way a user does (its own Meson build
# configured with --prefix, then `meson install`), and prints the prefix.
#   prefix.sh BUILD_DIR
# The prefix and its build live under BUILD_DIR/consumers and are reused:
# a second call only rebuilds what changed. Progress goes to stderr.
set -euo pipefail
build_dir=$(cd "$1" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
prefix=$build_dir/consumers/prefix
sub=$build_dir/consumers/build

if [[ ! -f $sub/build.ninja ]]; then
  rm -rf "$sub"
  nice -n 19 meson setup "$sub" "$root" --prefix "$prefix" --libdir lib \
    -Dtests=disabled -Dbench=disabled -Dexamples=disabled -Dpython=disabled \
    -Drust=disabled -Dgo=disabled -Dfuzz=disabled -Dmpi=disabled >&2
fi
# meson install builds first; one job, as the rest of the suite.
nice -n 19 ninja -C "$sub" -j 1 >&2
meson install -C "$sub" --no-rebuild --quiet >&2
echo "$prefix"
