#!/usr/bin/env bash
# `meson install` gives a usable system library: the header, the versioned
# library with its soname and mproc.pc are installed (consumers_install
# checks the first and last), and a C program outside the tree builds with
# -Werror and runs through `pkg-config --cflags --libs mproc` alone.
# Arguments: the build directory, the source directory.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
consumers_need cc pkg-config readelf
consumers_install
readelf -d "$PREFIX/lib/libmproc.so.0" | grep -q 'SONAME.*\[libmproc.so.0\]' ||
  fail "libmproc.so.0 does not carry the soname libmproc.so.0"
# shellcheck disable=SC2046  # pkg-config's flags are words
cc -std=c11 -Wall -Werror "$consumers_source_dir/tests/consumer/consumer.c" \
  -o "$consumers_work/consumer" $(pkg-config --cflags --libs mproc)
"$consumers_work/consumer"
echo "install: ok"
