#!/usr/bin/env bash
# README.md's C++ quick start built by the README's meson.build, which
# finds the installed library with dependency('mproc').
# Arguments: the build directory, the source directory.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
consumers_need c++ pkg-config meson ninja
consumers_install

project=$consumers_work/produce
mkdir "$project"
readme_block cpp/produce.cpp > "$project/produce.cpp"
readme_block cpp/meson.build > "$project/meson.build"
run_block cpp/build.sh "$project"
want=$(printf 'got bun %s\n' 0 1 2 3 4)
[ "$(grep '^got bun' <<<"$block_output")" = "$want" ] || fail "produce did not print got bun 0 .. 4"
echo "cpp: ok"
