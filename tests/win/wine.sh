#!/usr/bin/env bash
# Runs a Windows program under Wine for tests (Meson's exe_wrapper):
#
#   tests/win/wine.sh [--deps DIR] PROGRAM.exe [ARGS...]
#   tests/win/wine.sh [--deps DIR] --boot      create the Wine prefix now
#
# DIR is where tests/win/deps.sh built the dependencies (default
# <repo>/build-win-deps, or $MPROC_WIN_DEPS). Why a wrapper around wine64:
# - a private, headless prefix (DIR/wineprefix unless WINEPREFIX is set), so
#   CI needs no ~/.wine and no X display: console programs only, graphics
#   driver "null", no Mono/Gecko install prompts, no menu entries;
# - WINEPATH gains the DLLs the programs load: DIR/prefix/bin (libuv,
#   cmocka) and the mingw-w64 runtime (libstdc++, libgcc_s, libwinpthread),
#   after whatever Meson already put there (the build dir's own DLLs);
# - the prefix is created once under a lock, so parallel tests do not race;
# - Wine's helper processes (services.exe, winedevice.exe...) inherit the
#   stdout/stderr of the program that starts the wineserver and live as long
#   as the server. Under `meson test` that held each test's output pipe open
#   for ~1 s after exit (11 s with a persistent server). So the first caller
#   starts the server itself, persistent for $MPROC_WINE_PERSIST seconds
#   (default 10) after the last program, plus one quiet program that spawns
#   the helpers with /dev/null; later tests reuse them (~0.05 s per run).
# - wine64's exit status is the program's exit code cut to 8 bits (3 -> 3,
#   -15 -> 241, 1000 -> 232; Wine turns 256 into 1, so non-zero stays
#   non-zero). Tests that need the full code must check it themselves.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deps=${MPROC_WIN_DEPS:-$here/../../build-win-deps}
if [[ ${1:-} == --deps ]]; then deps=$2; shift 2; fi
deps=$(realpath -m "$deps")
wine=${MPROC_WINE:-/usr/lib/wine/wine64}
host=x86_64-w64-mingw32

export WINEPREFIX=${WINEPREFIX:-$deps/wineprefix}
export WINEARCH=win64
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=;winemenubuilder.exe=d}
# Console programs need no display; without one Wine never opens a window.
unset DISPLAY WAYLAND_DISPLAY

runtime=$(dirname "$($host-g++-posix -print-file-name=libstdc++-6.dll)")
paths=("$deps/prefix/bin" "$runtime" "/usr/$host/lib")
for p in "${paths[@]}"; do WINEPATH="${WINEPATH:+$WINEPATH;}Z:$p"; done
export WINEPATH

boot() {
  mkdir -p "$WINEPREFIX"
  exec 9> "$WINEPREFIX.lock"
  flock 9
  if [[ ! -f $WINEPREFIX/.mproc-booted ]]; then
    echo "[wine.sh] creating Wine prefix $WINEPREFIX" >&2
    "$wine" wineboot --init > /dev/null 2>&1 < /dev/null 9>&-
    "$wine" reg add 'HKCU\Software\Wine\Drivers' /v Graphics /d null /f > /dev/null 2>&1 < /dev/null 9>&-
    # Let wineserver write the registry to disk before the prefix counts as ready.
    "$(dirname "$wine")/wineserver" -w
    touch "$WINEPREFIX/.mproc-booted"
  fi
  exec 9>&-
}

warm_server() {
  exec 9> "$WINEPREFIX.lock"
  flock 9
  # Exit status 0 only when no server ran for this prefix (2: already running).
  # The lock fd is closed for the children: a daemon keeping it would hold
  # the lock for its whole life.
  if "$(dirname "$wine")/wineserver" -p"${MPROC_WINE_PERSIST:-10}" < /dev/null > /dev/null 2>&1 9>&-; then
    "$wine" cmd /c exit 0 < /dev/null > /dev/null 2>&1 9>&- || true
  fi
  exec 9>&-
}

if [[ ${1:-} == --boot ]]; then boot; exit 0; fi
[[ $# -gt 0 ]] || { echo "usage: wine.sh [--deps DIR] PROGRAM.exe [ARGS...] | --boot" >&2; exit 2; }
[[ -f $WINEPREFIX/.mproc-booted ]] || boot
warm_server
exec "$wine" "$@"
