#!/usr/bin/env bash
# README.md's C quick start against the installed library (pkg-config),
# then against the uninstalled build tree (build/meson-uninstalled).
# Arguments: the build directory, the source directory.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
consumers_need cc pkg-config
consumers_install

mkdir "$consumers_work/installed"
readme_block c/greet.c > "$consumers_work/installed/greet.c"
run_block c/build.sh "$consumers_work/installed"
grep -qx 'child 1 is running' <<<"$block_output" || fail "greet did not print 'child 1 is running'"

# From a source tree whose build/ is the build under test; none of the
# install's variables.
tree=$consumers_work/tree
mkdir "$tree"
ln -s "$consumers_build_dir" "$tree/build"
readme_block c/greet.c > "$tree/greet.c"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH LD_LIBRARY_PATH
run_block c/uninstalled.sh "$tree"
grep -qx 'child 1 is running' <<<"$block_output" || fail "uninstalled greet did not print 'child 1 is running'"
echo "c: installed and uninstalled ok"
