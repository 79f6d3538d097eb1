#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is
# missing, builds, runs every suite, then builds again under
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the native suites
# there. Every build treats warnings as errors. Tests that need namespaces
# of their own (tests/ns) run as root, as CI does, and are skipped with the
# reason otherwise. Exits non-zero on any failure. CI runs exactly this
# (.ci/run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$mproc_root"

mproc_install_packages

echo "==> build and test (build/): C, C++, examples, and the Python, Rust and Go bindings"
mproc_build build -Dwerror=true -Dpython=enabled -Drust=enabled -Dgo=enabled
meson test -C build --print-errorlogs --num-processes 2

echo "==> build and test under ASan + UBSan (build-asan/)"
# Bindings load the library into interpreters that are not built with the
# sanitizers, so this pass covers the C and C++ suites.
mproc_build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbench=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite abi-install

echo "==> the synchronisation suite under ThreadSanitizer (build-tsan/)"
# The sync suite (locks, conditions including the notify-then-wait stress
# test, semaphores, barriers) is TSan-clean; the other suites join this
# pass as they become so. Only what the suite needs is built. Not -Werror
# here: GCC warns (-Wtsan) that TSan does not model the queue's
# atomic_thread_fence, which is not this suite's concern.
if [ ! -f build-tsan/build.ninja ]; then
  meson setup build-tsan -Db_sanitize=thread -Db_lundef=false \
    -Dbench=disabled -Dexamples=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
fi
meson compile -C build-tsan tests/c/test-c-sync
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  meson test -C build-tsan --no-rebuild --print-errorlogs --num-processes 2 --suite sync

echo "==> the native suites again with the portable POSIX wait backend (build-posix/)"
mproc_build build-posix -Dwerror=true -Dsync_backend=posix \
  -Dbench=disabled -Dexamples=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
meson test -C build-posix --print-errorlogs --num-processes 2 --suite c --suite cpp

echo "==> Windows: mproc.dll cross-built with mingw-w64, its suites under Wine (build-win/)"
# After the Linux passes. Debian ships the cross compiler and Wine; libuv,
# cmocka and GoogleTest for the target are built from Debian's source
# packages by tests/win/deps.sh (once; a second run is a no-op). Registered
# for Windows (tests/meson.build): the C ABI suites (spawn; their fork and
# forkserver runs report themselves skipped with the reason), the GoogleTest
# suites that apply (the others are skipped with the reason), the examples,
# the DLL's exports against tests/abi/exported.txt and the install+pkg-config
# consumer. Tests failing only for a feature Wine lacks are listed in
# tests/win/wine_gaps.txt. The language bindings are tested on Linux above:
# Debian has no Windows Python, Rust or Go toolchain for mingw.
mproc_install_packages g++-mingw-w64-x86-64-posix wine64 dpkg-dev cmake debian-archive-keyring
tests/win/deps.sh build-win-deps
if [ ! -f build-win/build.ninja ]; then
  meson setup build-win --cross-file tests/win/x86_64-w64-mingw32.ini \
    --cross-file build-win-deps/cross-paths.ini -Dwerror=true \
    -Dbench=enabled -Dpython=disabled -Drust=disabled -Dgo=disabled
fi
meson compile -C build-win
meson test -C build-win --print-errorlogs --num-processes 2

echo "==> all tests passed"
