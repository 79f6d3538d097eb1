# Sourced by tests/run.sh and examples/demo.sh: installs what a fresh Debian
# machine lacks (only Debian packages; nothing else is reachable) and builds
# mproc in ./build. Idempotent: a second run installs nothing and rebuilds
# only what changed.

mproc_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the build, the tests and the bindings need.
mproc_packages=(
  build-essential pkg-config meson ninja-build
  libuv1-dev libcmocka-dev googletest libgtest-dev
  libssl-dev  # libcrypto: the HMAC of authenticated connections (issue 15)
  python3 golang-go cargo binutils strace
  libpython3.11-testsuite  # CPython's multiprocessing tests, run against mproc (tests/python)
  doxygen  # the reference manual and its check (docs/, suite docs)
  abigail-tools  # abidw/abidiff: the ABI baseline test (tests/abi/baseline.sh)
  libopenmpi-dev openmpi-bin python3-mpi4py  # MPI pools (src/mpi) and their mpi4py baseline
  libboost-dev libboost-filesystem-dev  # bench/: the Boost.Interprocess and Boost.Process rows
  python3-matplotlib  # bench/run.py --chart
)

# mproc_install_packages [package...]: those packages (default: mproc_packages).
mproc_install_packages() {
  local wanted_pkgs=("$@")
  [ ${#wanted_pkgs[@]} -eq 0 ] && wanted_pkgs=("${mproc_packages[@]}")
  local missing=()
  for pkg in "${wanted_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  # cargo may come from rustup instead of Debian; either will do.
  if command -v cargo >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/cargo" ]; then
    missing=("${missing[@]/cargo}")
  fi
  local wanted=()
  for pkg in "${missing[@]}"; do [ -n "$pkg" ] && wanted+=("$pkg"); done
  [ ${#wanted[@]} -eq 0 ] && return 0

  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "==> installing Debian packages: ${wanted[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${wanted[@]}"; then
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y --no-install-recommends "${wanted[@]}"
  fi
}

# mproc_build <dir> [meson options...]: configure (or apply the options to
# an existing configuration), then compile.
mproc_build() {
  local dir=$1
  shift
  if [ ! -f "$mproc_root/$dir/build.ninja" ]; then
    meson setup "$mproc_root/$dir" "$mproc_root" "$@"
  elif [ $# -gt 0 ]; then
    meson configure "$mproc_root/$dir" "$@"
  fi
  meson compile -C "$mproc_root/$dir"
}

[ -d "$HOME/.cargo/bin" ] && export PATH="$PATH:$HOME/.cargo/bin"
