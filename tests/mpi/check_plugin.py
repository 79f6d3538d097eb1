#!/usr/bin/env python3
"""The MPI pool's packaging, checked on the built files:
libmproc.so.0 needs no MPI library (the MPI side is a plug-in it opens
when a pool asks for MPI), and the plug-in exports its entry point alone
(it is opened RTLD_GLOBAL, so anything more would be seen by everything
loaded after it).

    check_plugin.py <libmproc.so.0> <mproc-mpi.so>
"""
import re
import subprocess
import sys


def needed(path):
    out = subprocess.run(["readelf", "-d", path], check=True, capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def exported(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], check=True, capture_output=True,
                         text=True).stdout
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


def main():
    lib, plugin = sys.argv[1], sys.argv[2]
    failures = []
    mpi = [n for n in needed(lib) if re.match(r"lib(mpi|open-|pmix|ompi)", n)]
    if mpi:
        failures.append(f"{lib} needs {mpi}: libmproc must not link MPI")
    if not any(n.startswith("libmpi") for n in needed(plugin)):
        failures.append(f"{plugin} does not need libmpi: {needed(plugin)}")
    symbols = exported(plugin)
    if symbols != ["mproc_mpi_plugin_v1"]:
        failures.append(f"{plugin} exports {symbols[:10]}, want only mproc_mpi_plugin_v1")
    for f in failures:
        print("FAILED:", f)
    if not failures:
        print(f"ok: {lib} needs {needed(lib)}; {plugin} exports {symbols}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
