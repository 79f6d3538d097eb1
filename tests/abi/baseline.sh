#!/bin/sh
# The ABI baseline of libmproc.so.0, written by abidw and compared by
# abidiff (abigail-tools).
#
#   baseline.sh check LIBRARY TYPES_LIBRARY   the Meson test abi-baseline
#   baseline.sh write LIBRARY TYPES_LIBRARY   update-baseline.sh, on purpose
#
# Two corpora, both committed here: libmproc.abi, the library's exported
# functions with every type they reach (signatures, enum values, the
# layout of anything public), and types.abi, the one function of
# abi_types.c, which names the public types no exported function does (the
# error codes). Only what the public headers (include/mproc) define is
# kept: the handles are opaque, and the C++ inside is not ABI.
#
# check fails (exit 1) on any change abidiff reports to what the baseline
# holds: a function removed, a parameter or return type changed, an enum
# value changed, a public struct's layout changed. New functions and new
# enumerators pass: adding is compatible (and tests/abi/exported.txt makes
# it deliberate). It skips (77) where the comparison cannot be made, and
# says why.
set -u

mode=${1:-}
library=${2:-}
types=${3:-}
if [ -z "$mode" ] || [ -z "$library" ] || [ -z "$types" ]; then
  echo "usage: $0 check|write LIBRARY TYPES_LIBRARY" >&2
  exit 2
fi
skip() {
  echo "skipped: $*"
  exit 77
}

command -v abidw >/dev/null 2>&1 && command -v abidiff >/dev/null 2>&1 ||
  skip "abidw/abidiff not found (install Debian's abigail-tools)"
here=$(cd "$(dirname "$0")" && pwd)
headers=$(cd "$here/../../include/mproc" && pwd)
for lib in "$library" "$types"; do
  # Without DWARF abidiff sees symbol names only, which the symbol check
  # (tests/check_symbols.py) already covers.
  readelf -S "$lib" | grep -q '\.debug_info' ||
    skip "$lib has no debug info (build with -g: buildtype debug or debugoptimized)"
done
# The baseline describes x86-64 Linux: another machine has other sizes.
readelf -h "$library" | grep -q 'Machine:.*X86-64' ||
  skip "the baseline is of x86-64; $library is for another machine"

# One set of options for writing and for reading: only the public headers'
# types, no paths of the machine that wrote it, no DT_NEEDED list (a new
# dependency is not an ABI change), stable type ids.
abidw_flags="--no-corpus-path --no-comp-dir-path --no-elf-needed --no-show-locs
  --drop-private-types --headers-dir $headers --exported-interfaces-only --type-id-style hash"

case "$mode" in
  write)
    # shellcheck disable=SC2086 # the flags are words
    abidw $abidw_flags --out-file "$here/libmproc.abi" "$library" &&
      abidw $abidw_flags --out-file "$here/types.abi" "$types" || exit 1
    echo "wrote $here/libmproc.abi and $here/types.abi"
    ;;
  check)
    status=0
    for pair in "libmproc.abi $library" "types.abi $types"; do
      set -- $pair
      # --no-added-syms: additions are compatible; every other reported
      # change fails (abidiff's exit status is a bit set: 4 = a change,
      # 8 = an incompatible one, 1 and 2 = abidiff's own errors).
      # shellcheck disable=SC2086
      abidiff --no-added-syms --drop-private-types --headers-dir2 "$headers" \
        --exported-interfaces-only "$here/$1" "$2"
      rc=$?
      if [ "$rc" -ne 0 ]; then
        echo "ABI change against tests/abi/$1 (abidiff exit $rc): if it is meant, say so in" \
             "NEWS.md and run tests/abi/update-baseline.sh"
        status=1
      fi
    done
    exit $status
    ;;
  *)
    echo "$0: unknown mode '$mode' (check or write)" >&2
    exit 2
    ;;
esac
