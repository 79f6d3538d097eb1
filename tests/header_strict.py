#!/usr/bin/env python3
"""mproc.hpp under a user's strict flags, with none of the build's own.

    header_strict.py MODE INCLUDE_DIR SOURCE -- COMPILER...

The build's project arguments (warning suppressions included) never reach
this compile: it runs exactly what a user would type.

  strict  -std=c++17 and -std=c++20 with -Wall -Wextra -pedantic -Werror
          compile without a single diagnostic.
  cxx14   -std=c++14 fails with exactly one error, and it names C++17.
"""
import re
import subprocess
import sys

STRICT = ["-Wall", "-Wextra", "-pedantic", "-Werror"]


def compile_header(compiler, std, include_dir, source):
    cmd = compiler + [f"-std={std}", *STRICT, "-fsyntax-only", f"-I{include_dir}",
                      "-DMPROC_HEADER_UNDER_TEST=<mproc/mproc.hpp>", source]
    run = subprocess.run(cmd, capture_output=True, text=True)
    return cmd, run


def main():
    if len(sys.argv) < 6 or sys.argv[4] != "--":
        sys.exit(__doc__)
    mode, include_dir, source, compiler = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5:]
    failures = []
    if mode == "strict":
        for std in ("c++17", "c++20"):
            cmd, run = compile_header(compiler, std, include_dir, source)
            if run.returncode != 0 or run.stderr.strip():
                failures.append(f"{' '.join(cmd)}\n{run.stderr}")
    elif mode == "cxx14":
        cmd, run = compile_header(compiler, "c++14", include_dir, source)
        errors = [line for line in run.stderr.splitlines() if re.search(r": (fatal )?error:", line)]
        if run.returncode == 0:
            failures.append(f"{' '.join(cmd)}\ncompiled, but must stop at an #error")
        elif len(errors) != 1 or "C++17" not in errors[0]:
            failures.append(f"{' '.join(cmd)}\nwant exactly one error naming C++17, got "
                            f"{len(errors)}:\n{run.stderr}")
    else:
        sys.exit(f"unknown mode {mode!r}\n{__doc__}")
    for f in failures:
        print(f, file=sys.stderr)
    if not failures:
        print(f"{mode}: ok with {' '.join(compiler)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
