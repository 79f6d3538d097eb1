#!/usr/bin/env bash
# The Windows form of tests/consumers/install.sh: installs the cross build into
# a scratch DESTDIR, checks that the header, mproc.dll, its import library
# and mproc.pc are there, then builds a program outside the tree with the
# cross compiler and nothing but `pkg-config --cflags --libs mproc`, and runs
# it under Wine with mproc.dll next to it (where Windows looks first).
#
#   install_consume.sh BUILD_DIR BUILT_DLL CONSUMER.c DEPS_PKGCONFIG_DIRS -- CC...
#
# BUILT_DLL is the build's mproc.dll: the installed one must be the same.
# DEPS_PKGCONFIG_DIRS (':'-separated; the cross file's pkg_config_libdir)
# holds libuv.pc, which mproc.pc names in Requires.private. The program runs
# through $MESON_EXE_WRAPPER (Meson sets it for tests of a cross build:
# tests/win/wine.sh), which also finds libuv.dll and the mingw runtime.
set -euo pipefail
build_dir=$1
built_dll=$2
consumer_src=$3
deps_pc=$4
shift 4
[[ ${1:-} == -- ]] && shift
cc=("$@")
[[ ${#cc[@]} -gt 0 ]] || { echo "usage: install_consume.sh BUILD CONSUMER.c PCDIRS -- CC..."; exit 2; }
[[ -n ${MESON_EXE_WRAPPER:-} ]] || { echo "MESON_EXE_WRAPPER is not set (run me from meson test)"; exit 2; }
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build_dir" --no-rebuild --destdir "$dest" --quiet >/dev/null

find_one() { find "$dest" -name "$1" | head -n 1; }
header=$(find_one mproc.h)
dll=$(find_one mproc.dll)
implib=$(find_one mproc.dll.a)
pc=$(find_one mproc.pc)
for what in header dll implib pc; do
  [[ -n ${!what} ]] || { echo "missing from the install: $what"; find "$dest" -type f; exit 1; }
done
[[ $(basename "$(dirname "$dll")") == bin ]] || { echo "mproc.dll not in bin/: $dll"; exit 1; }
cmp -s "$dll" "$built_dll" || { echo "installed $dll differs from the build's $built_dll"; exit 1; }

# Where mproc.pc says it lives, moved under DESTDIR (only mproc.pc's prefix:
# libuv.pc stays where deps.sh built it).
prefix=$(PKG_CONFIG_LIBDIR=$(dirname "$pc"):$deps_pc pkg-config --variable=prefix mproc)
flags=$(PKG_CONFIG_LIBDIR=$(dirname "$pc"):$deps_pc \
        pkg-config --define-variable=prefix="$dest$prefix" --cflags --libs mproc)
echo "pkg-config --cflags --libs mproc: $flags"
out=$dest/consumer
mkdir -p "$out"
"${cc[@]}" -std=c11 -Wall -Werror "$consumer_src" -o "$out/consumer.exe" $flags
cp "$dll" "$out/"
eval "wrapper=($MESON_EXE_WRAPPER)"  # Meson shell-quotes it
"${wrapper[@]}" "$out/consumer.exe"
