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

echo "==> build and test (build/): C, C++, examples, MPI pools, and the Python, Rust and Go bindings"
mproc_build build -Dwerror=true -Dbench=enabled -Dpython=enabled -Drust=enabled -Dgo=enabled \
  -Dmpi=enabled
meson test -C build --print-errorlogs --num-processes 2 --no-suite soak

echo "==> the short soak (build/): 1/20 of bench/run.py -k soak's kills, cycles and timed waits"
meson test -C build --print-errorlogs --suite soak

echo "==> build and test under ASan + UBSan (build-asan/)"
# Bindings load the library into interpreters that are not built with the
# sanitizers, so this pass covers the C and C++ suites.
mproc_build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbench=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --no-suite abi-install

echo "==> the C and C++ suites under ThreadSanitizer (build-tsan/)"
# The whole native suites (the sync suite among them), warnings as errors,
# no suppressions: synchronisation that passes through another process is
# taught to TSan at its source (src/platform/tsan.hpp). Bindings load the
# library into interpreters not built with TSan, so they stay out, as in
# the ASan pass. die_after_fork=0: mproc starts threads in fork children
# by design (a forked child's fresh runtime, the lifeline of a daemon),
# which TSan otherwise kills at once. Two cases meet GCC 12 TSan's own
# limits after fork and skip with the reason: cpp-runtime's fresh runtime
# in a fork child (TSan's thread registry) and cpp-fork_safety's stress
# test (TSan's allocator is not fork-safe, as ASan's is not).
mproc_build build-tsan -Dwerror=true -Db_sanitize=thread -Db_lundef=false \
  -Dbench=disabled -Dexamples=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:die_after_fork=0 \
  meson test -C build-tsan --print-errorlogs --num-processes 2 --suite c --suite cpp

echo "==> the native suites again with the portable POSIX wait backend (build-posix/)"
mproc_build build-posix -Dwerror=true -Dsync_backend=posix \
  -Dbench=disabled -Dexamples=disabled -Dpython=disabled -Drust=disabled -Dgo=disabled
meson test -C build-posix --print-errorlogs --num-processes 2 --suite c --suite cpp

echo "==> the decoders under libFuzzer (build-fuzz/, clang): the corpus, then ${MPROC_FUZZ_SECONDS:-10} s per target"
# Every decoder of bytes another process wrote has a libFuzzer target
# (tests/fuzz: the launch request and bootstrap channel, task arguments,
# connection framing, shared-object headers, the queue's live ring, the
# pool's wire records), built with ASan + UBSan. libFuzzer needs clang, so
# the targets have a build directory of their own, where only they and the
# core are compiled. The committed corpus (the seeds, and every input that
# once crashed) is replayed first; then each target fuzzes for a bounded
# time, two at a time. A crash, a hang (an input running over 10 s) or
# memory past 2 GiB fails the step, and the input is printed.
mproc_install_packages clang-14 libclang-rt-14-dev
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang-14 CXX=clang++-14 meson setup build-fuzz -Dwerror=true -Dfuzz=enabled \
    -Dtests=disabled -Dbench=disabled -Dexamples=disabled -Dpython=disabled -Drust=disabled \
    -Dgo=disabled
fi
meson compile -C build-fuzz fuzz
meson test -C build-fuzz --no-rebuild --print-errorlogs --num-processes 2 --suite fuzz
tests/fuzz/run_fuzz.sh build-fuzz "${MPROC_FUZZ_SECONDS:-10}"

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
