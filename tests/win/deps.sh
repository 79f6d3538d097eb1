#!/usr/bin/env bash
# Builds the Windows (x86_64-w64-mingw32) dependencies of mproc -- libuv, cmocka
# and GoogleTest -- from Debian's source packages, so the cross build needs
# nothing that Debian does not ship.
#
#   tests/win/deps.sh [DIR]        DIR defaults to <repo>/build-win-deps
#
# Why this shape:
# - Sources come through a PRIVATE apt source list and state (-o Dir::...), so
#   the machine's apt configuration, lists and locks are never touched.
# - libuv and cmocka are DLLs (as MSYS2 ships them; libuv then matches the
#   Linux build, which links the system libuv.so). GoogleTest is static, as
#   upstream recommends. tests/win/wine.sh puts DIR/prefix/bin and the mingw
#   runtime DLLs on WINEPATH, so the test programs find the DLLs under Wine.
# - A stamp keyed by the source versions, the toolchain and this script makes
#   a second run a no-op. Apt lists are fetched once; MPROC_WIN_DEPS_REFRESH=1
#   fetches them again (picking up a new Debian revision).
# - It also writes DIR/cross-paths.ini (second Meson cross file: pkg-config
#   dir and the exe_wrapper with DIR) and boots the Wine prefix DIR/wineprefix
#   once, so the first test does not pay for wineboot.
#
# Non-interactive: needs no stdin and no display; prints each step.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=$(realpath -m "${1:-$repo/build-win-deps}")
host=x86_64-w64-mingw32
packages=(libuv1 cmocka googletest)
jobs=${MPROC_WIN_DEPS_JOBS:-2}

aptdir=$root/apt
srcdir=$root/src
blddir=$root/build
prefix=$root/prefix
stamp=$root/.stamp

say() { printf '[deps.sh] %s\n' "$*"; }
run() { say "+ $*"; "$@"; }

for tool in ${host}-gcc-posix ${host}-g++-posix ${host}-windres cmake ninja \
            dpkg-source pkg-config apt-get; do
  command -v "$tool" >/dev/null ||
    { echo "deps.sh: missing tool: $tool" >&2; exit 1; }
done

mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$srcdir" "$blddir"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
  > "$aptdir/sources.list"
# Everything apt reads or writes is private to $aptdir; downloads run as root
# into a root-owned dir, so the _apt sandbox user is not used.
apt_opts=(-q -o "Dir::Etc::SourceList=$aptdir/sources.list"
          -o "Dir::Etc::SourceParts=-"
          -o "Dir::State::Lists=$aptdir/lists"
          -o "Dir::Cache=$aptdir/cache"
          -o "APT::Sandbox::User=root")

if [[ ${MPROC_WIN_DEPS_REFRESH:-0} = 1 ]] || ! compgen -G "$aptdir/lists/*Sources*" >/dev/null; then
  run apt-get "${apt_opts[@]}" update < /dev/null
fi

# Highest source version each package has in the private lists.
declare -A version
for p in "${packages[@]}"; do
  best=
  while read -r v; do
    if [[ -z $best ]] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done < <(apt-cache "${apt_opts[@]}" showsrc --only-source "$p" 2>/dev/null |
           sed -n 's/^Version: //p')
  [[ -n $best ]] || { echo "deps.sh: no source version found for $p" >&2; exit 1; }
  version[$p]=$best
done

key=$(
  for p in "${packages[@]}"; do echo "$p=${version[$p]}"; done
  ${host}-g++-posix --version | head -1
  sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
)
if [[ -f $stamp && $(cat "$stamp") == "$key" && -f $root/cross-paths.ini ]]; then
  say "up to date in $root:"
  sed -n '1,3p' "$stamp" | sed 's/^/[deps.sh]   /'
  exit 0
fi
say "building into $root:"
for p in "${packages[@]}"; do say "  $p ${version[$p]}"; done
rm -f "$stamp"

# CMake toolchain for the posix-threads flavour of Debian's mingw-w64 g++
# (std::thread and friends need it).
cat > "$root/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER ${host}-gcc-posix)
set(CMAKE_CXX_COMPILER ${host}-g++-posix)
set(CMAKE_RC_COMPILER ${host}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${host} $prefix)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF

# Downloads (apt verifies the hashes against the signed Release file) and
# unpacks with Debian's patches applied; prints the source tree's path.
unpack() {
  local p=$1 v=${version[$1]} upstream dsc dir
  upstream=${v#*:}; upstream=${upstream%-*}
  dsc=${p}_${v#*:}.dsc
  dir=$srcdir/$p-$upstream
  if [[ ! -f $srcdir/$dsc ]]; then
    (cd "$srcdir" && run apt-get "${apt_opts[@]}" source --download-only "$p=$v" < /dev/null) >&2
  fi
  rm -rf "$dir"
  (cd "$srcdir" && run dpkg-source --no-check -x "$dsc" "$dir") >&2
  echo "$dir"
}

cmake_build() {
  local name=$1 src=$2; shift 2
  rm -rf "${blddir:?}/$name"
  say "+ cmake -S $src -B $blddir/$name ... (log: $blddir/$name.configure.log)"
  cmake -S "$src" -B "$blddir/$name" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$root/toolchain.cmake" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib "$@" > "$blddir/$name.configure.log" ||
    { cat "$blddir/$name.configure.log"; exit 1; }
  run cmake --build "$blddir/$name" -j "$jobs"
  say "+ cmake --install $blddir/$name (log: $blddir/$name.install.log)"
  cmake --install "$blddir/$name" > "$blddir/$name.install.log"
}

rm -rf "$prefix"
src=$(unpack libuv1)
cmake_build libuv "$src" -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF
src=$(unpack cmocka)
cmake_build cmocka "$src" -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
src=$(unpack googletest)
cmake_build googletest "$src" -DBUILD_GMOCK=ON -DINSTALL_GTEST=ON -DBUILD_SHARED_LIBS=OFF

# Every module Meson's dependency() will ask for must resolve.
for pc in libuv cmocka gtest gtest_main gmock gmock_main; do
  v=$(PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig pkg-config --modversion "$pc") ||
    { echo "deps.sh: pkg-config cannot find $pc" >&2; exit 1; }
  say "pkg-config $pc $v"
done

# Second cross file: the paths that depend on where the deps were built.
# Meson merges it over tests/win/x86_64-w64-mingw32.ini (later files win).
cat > "$root/cross-paths.ini" <<EOF
# Generated by tests/win/deps.sh; do not edit. Use after the committed file:
#   --cross-file $here/x86_64-w64-mingw32.ini --cross-file $root/cross-paths.ini
[binaries]
exe_wrapper = ['$here/wine.sh', '--deps', '$root']

[properties]
pkg_config_libdir = ['$prefix/lib/pkgconfig']
EOF
say "wrote $root/cross-paths.ini"

# Boot the Wine prefix now (timed), so tests start on a ready prefix.
start=$EPOCHREALTIME
run "$here/wine.sh" --deps "$root" --boot
say "wine prefix ready in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f", b-a}') s"

echo "$key" > "$stamp"
say "done"
