#!/usr/bin/env bash
# The demo: installs what is missing, builds, and runs a short tour of the
# example programs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tests/setup.sh"
cd "$mproc_root"

mproc_install_packages
mproc_build build >/dev/null

echo
echo "==> mproc $(build/examples/hello-mproc --version)"
build/examples/hello-mproc
