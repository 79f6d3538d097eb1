#!/bin/sh
# Rewrites the ABI baseline (libmproc.abi, types.abi) on purpose: after a
# deliberate change of the C ABI, which NEWS.md records. Builds libmproc
# the defined way in a build directory of its own (default: build-abi in
# the source tree, which .gitignore covers):
#   x86-64 Linux, the system GCC, meson's buildtype debugoptimized (-O2 -g,
#   the project's default: abidw needs the debug info), other options at
#   their defaults; bindings, benchmarks and examples off (not part of the
#   library).
#   tests/abi/update-baseline.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-abi}
if [ ! -d "$build/meson-info" ]; then
  meson setup "$build" "$src" --buildtype=debugoptimized -Dtests=enabled \
    -Dpython=disabled -Drust=disabled -Dgo=disabled -Dbench=disabled -Dexamples=disabled
fi
meson compile -C "$build" -j 2 mproc mproc-abi-types
lib=$(find "$build/src" -maxdepth 1 -type f -name 'libmproc.so.0.*' | head -n 1)
exec "$src/tests/abi/baseline.sh" write "$lib" "$build/tests/libmproc-abi-types.so"
