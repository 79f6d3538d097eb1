#!/usr/bin/env bash
# The Python package installs as bindings/python/README.md says, and runs
# that README's Pool script from a directory outside the tree:
#  1. `meson install` (the build is configured with -Dpython=enabled)
#     puts the package beside the library, with mproc/_install.py naming
#     the libdir it installed the library to;
#  2. `pip install --no-build-isolation --no-index bindings/python` into a
#     venv that sees the system's setuptools works offline.
# The meson-installed package runs with what the README's python/env.sh
# block sets (PYTHONPATH, MPROC_LIBRARY: the staged install is not where
# its recorded libdir says), and nothing else: not the LD_LIBRARY_PATH of
# README.md's env.sh block. The pip-installed one with MPROC_LIBRARY alone.
set -euo pipefail
source "${BASH_SOURCE[0]%/*}/common.sh"
python=$3
consumers_install
root=$PKG_CONFIG_SYSROOT_DIR
init=$(find "$root" -path '*/mproc/__init__.py' | head -n 1)
[ -n "$init" ] || fail "meson install did not install the Python package (configure with -Dpython=enabled)"
site=$(dirname "$(dirname "$init")")
recorded=$(sed -n 's/^LIBDIR = "\(.*\)"$/\1/p' "$site/mproc/_install.py")
[ "$root$recorded" -ef "$PREFIX/lib" ] ||
  fail "mproc/_install.py records $recorded, the library went to $(realpath "$PREFIX/lib")"

project=$consumers_work/project
mkdir "$project"
readme_block python/use_pool.py "$consumers_source_dir/bindings/python/README.md" > "$project/use_pool.py"
cd "$project"
unset LD_LIBRARY_PATH PYTHONPATH MPROC_LIBRARY
eval "$(readme_block python/env.sh "$consumers_source_dir/bindings/python/README.md")"
[ "$PYTHONPATH" -ef "$site" ] || fail "python/env.sh put $PYTHONPATH on PYTHONPATH, not $site"
want='[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]'
got=$("$python" use_pool.py)
[ "$got" = "$want" ] || fail "meson-installed package printed: $got"
echo "meson install: ok"

# pip needs a venv that sees setuptools; Debian's python3-venv and
# python3-setuptools provide both.
# Without them only this half is skipped (the test passes on the first).
if ! "$python" -c 'import setuptools, venv, ensurepip' 2>/dev/null; then
  echo "skipped pip install: $python lacks setuptools, venv or ensurepip (python3-setuptools, python3-venv)"
  exit 0
fi
"$python" -m venv --system-site-packages "$consumers_work/venv"
# A copy: pip builds in the tree it is given.
cp -r "$consumers_source_dir/bindings/python" "$consumers_work/src"
"$consumers_work/venv/bin/pip" install --quiet --no-build-isolation --no-index \
  "$consumers_work/src" >/dev/null
got=$(env -u PYTHONPATH "$consumers_work/venv/bin/python" use_pool.py)
[ "$got" = "$want" ] || fail "pip-installed package printed: $got"
echo "pip install: ok"
