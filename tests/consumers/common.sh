# Sourced by each tests/consumers/<front end>.sh: what they share.
#
# Each script builds and runs a small project outside the tree the way
# README.md says, from README.md's own blocks: a fenced block preceded by
# "<!-- consumer-test: NAME -->" is readme_block NAME, so the README and
# the tests cannot drift apart.
#
# The install is the build under test's own `meson install`, made once
# into a staging directory shared by the scripts (reinstalled when the
# build or the installed sources changed). It stands for the README's
# `meson install` into $PREFIX: $PREFIX/lib and $PREFIX/include point at
# the staged libdir and includedir, and PKG_CONFIG_SYSROOT_DIR tells
# pkg-config that the paths mproc.pc names lie under the staging root.
# That variable is the one thing a consumer here has that a README reader
# has not.
set -euo pipefail

consumers_build_dir=$(realpath "$1")
consumers_source_dir=$(realpath "$2")

consumers_skip() { echo "skipped: $*"; exit 77; }

# consumers_need TOOL...: skips (exit 77, as Meson counts it) without one.
consumers_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || consumers_skip "$tool is not installed"
  done
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# readme_block NAME [FILE]: the block marked NAME in README.md (or FILE).
readme_block() {
  local out
  out=$(awk -v want="<!-- consumer-test: $1 -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "${2:-$consumers_source_dir/README.md}")
  [ -n "$out" ] || fail "${2:-README.md} has no block marked consumer-test: $1"
  printf '%s\n' "$out"
}

[ -z "${MPROC_CONSUMERS_SKIP:-}" ] || consumers_skip "$MPROC_CONSUMERS_SKIP"

# A scratch directory for this script's consumer project. Made writable
# before removal: Go's module cache makes its files read-only.
consumers_work=$(mktemp -d)
trap 'chmod -R u+w "$consumers_work"; rm -rf "$consumers_work"' EXIT

# consumers_install: installs (once) and sets PREFIX, PKG_CONFIG_SYSROOT_DIR
# and, through README.md's env.sh block, PKG_CONFIG_PATH and LD_LIBRARY_PATH.
consumers_install() {
  local stage=$consumers_build_dir/tests/consumers/stage
  mkdir -p "$stage"
  (
    flock 9
    if [ ! -e "$stage/stamp" ] || [ -n "$(find "$consumers_build_dir/src" \
          "$consumers_build_dir/meson-private" "$consumers_source_dir/include" \
          "$consumers_source_dir/bindings/python/mproc" -newer "$stage/stamp" -print -quit)" ]; then
      rm -rf "$stage/root" "$stage/prefix" "$stage/stamp"
      meson install -C "$consumers_build_dir" --no-rebuild --destdir "$stage/root" \
        --quiet >/dev/null
      local pc header
      pc=$(find "$stage/root" -name mproc.pc | head -n 1)
      header=$(find "$stage/root" -path '*/mproc/mproc.h' | head -n 1)
      [ -n "$pc" ] && [ -n "$header" ] || fail "meson install gave no mproc.pc or mproc/mproc.h"
      [ -e "$(dirname "$(dirname "$pc")")/libmproc.so.0" ] || fail "libmproc.so.0 is not beside pkgconfig/"
      mkdir "$stage/prefix"
      local libdir python_dir
      libdir=$(dirname "$(dirname "$pc")")
      # With --libdir lib, as the README installs, the Python package's
      # directory (lib/python3.X) lies in the libdir: so it does here.
      for python_dir in "$(dirname "$libdir")"/python3*; do
        if [ -d "$python_dir" ] && [ ! -e "$libdir/${python_dir##*/}" ]; then
          ln -s "$python_dir" "$libdir/${python_dir##*/}"
        fi
      done
      ln -s "$libdir" "$stage/prefix/lib"
      ln -s "$(dirname "$(dirname "$header")")" "$stage/prefix/include"
      touch "$stage/stamp"
    fi
  ) 9>"$stage.lock"
  # The README installs with --prefix="$PREFIX" --libdir=lib: the layout
  # $stage/prefix stands for.
  readme_block install.sh | grep -q -- '--prefix="$PREFIX" --libdir=lib' ||
    fail "README.md's install.sh block no longer installs with --prefix=\"\$PREFIX\" --libdir=lib"
  # Exported: the bindings' README blocks use it, as their readers' shells.
  export PREFIX=$stage/prefix
  # As a reader's shell: not the build tree's library Meson's test runner
  # puts on LD_LIBRARY_PATH, nor a binding test's way to the library.
  unset LD_LIBRARY_PATH PKG_CONFIG_PATH MPROC_LIB_DIR CARGO_TARGET_DIR CGO_CFLAGS CGO_LDFLAGS
  export PKG_CONFIG_SYSROOT_DIR=$stage/root
  eval "$(readme_block env.sh)"
}

# run_block NAME DIR [FILE]: runs the block NAME of README.md (or FILE) in
# DIR (bash -e), with its output on this script's and in $block_output.
run_block() {
  local block
  block=$(readme_block "$1" "${3:-$consumers_source_dir/README.md}")
  block_output=$(cd "$2" && bash -euo pipefail -c "$block" 2>&1) ||
    { printf '%s\n' "$block_output"; fail "${3:-README.md}'s block $1 failed"; }
  printf '%s\n' "$block_output"
}
