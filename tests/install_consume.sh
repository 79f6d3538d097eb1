#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR, checks that the header, the
# versioned library and mproc.pc are there, then builds and runs a program
# outside the tree with nothing but `pkg-config --cflags --libs mproc`.
set -euo pipefail
build_dir=$1
consumer_src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build_dir" --no-rebuild --destdir "$dest" --quiet >/dev/null

find_one() { find "$dest" -name "$1" | head -n 1; }
header=$(find_one mproc.h)
lib=$(find_one libmproc.so.0)
pc=$(find_one mproc.pc)
for f in "$header" "$lib" "$pc"; do
  [ -n "$f" ] || { echo "missing from the install: mproc.h, libmproc.so.0 or mproc.pc"; exit 1; }
done
readelf -d "$lib" | grep -q 'SONAME.*\[libmproc.so.0\]' || { echo "bad soname"; exit 1; }

export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest
cc -std=c11 -Wall -Werror "$consumer_src" -o "$dest/consumer" \
  $(pkg-config --cflags --libs mproc)
LD_LIBRARY_PATH=$(dirname "$lib") "$dest/consumer"
