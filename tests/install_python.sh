#!/usr/bin/env bash
# The Python package installs as its README says, and runs a Pool from a
# script outside the tree:
#  1. `meson install` (the build is configured with -Dpython=enabled)
#     puts the package beside the library, with mproc/_install.py naming
#     the libdir it installed the library to;
#  2. `pip install --no-build-isolation --no-index bindings/python` into a
#     venv that sees the system's setuptools works offline.
# Both load the library from the scratch DESTDIR through MPROC_LIBRARY
# (a DESTDIR install is not where its recorded libdir says).
set -euo pipefail
build_dir=$1
source_dir=$2
python=$3
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build_dir" --no-rebuild --destdir "$dest" --quiet >/dev/null
lib=$(find "$dest" -name libmproc.so.0 | head -n 1)
init=$(find "$dest" -path '*/mproc/__init__.py' | head -n 1)
[ -n "$lib" ] && [ -n "$init" ] || { echo "the library or the Python package was not installed"; exit 1; }
site=$(dirname "$(dirname "$init")")
recorded=$(sed -n 's/^LIBDIR = "\(.*\)"$/\1/p' "$site/mproc/_install.py")
[ "$dest$recorded" = "$(dirname "$lib")" ] || {
  echo "mproc/_install.py records $recorded, the library went to $(dirname "$lib")"; exit 1; }

mkdir "$dest/consumer"
cat > "$dest/consumer/use_pool.py" <<'PY'
import mproc

def square(x):
    return x * x

if __name__ == "__main__":
    with mproc.Pool(2) as pool:
        print(pool.map(square, range(5)))
PY
cd "$dest/consumer"
want='[0, 1, 4, 9, 16]'
got=$(MPROC_LIBRARY=$lib PYTHONPATH=$site "$python" use_pool.py)
[ "$got" = "$want" ] || { echo "meson-installed package printed: $got"; exit 1; }
echo "meson install: ok"

# pip needs a venv that sees setuptools; Debian's python3-venv and
# python3-setuptools provide both. Without them the check is skipped.
if ! "$python" -c 'import setuptools, venv, ensurepip' 2>/dev/null; then
  echo "skipped pip install: $python lacks setuptools, venv or ensurepip"
  exit 0
fi
"$python" -m venv --system-site-packages "$dest/venv"
# A copy: pip builds in the tree it is given.
cp -r "$source_dir/bindings/python" "$dest/src"
"$dest/venv/bin/pip" install --quiet --no-build-isolation --no-index "$dest/src" >/dev/null
got=$(env -u PYTHONPATH MPROC_LIBRARY=$lib "$dest/venv/bin/python" use_pool.py)
[ "$got" = "$want" ] || { echo "pip-installed package printed: $got"; exit 1; }
echo "pip install: ok"
