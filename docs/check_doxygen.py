#!/usr/bin/env python3
"""Fails when Doxygen warns about the public headers.

    check_doxygen.py DOXYGEN DOXYFILE    the headers: exit 1 on any warning
    check_doxygen.py DOXYGEN --self-test the check itself catches an
                                         undocumented function and a
                                         documented parameter that does
                                         not exist

The Doxyfile (docs/Doxyfile.in) turns on WARN_IF_UNDOCUMENTED,
WARN_IF_DOC_ERROR and WARN_NO_PARAMDOC; this runs Doxygen with that
configuration into a scratch directory (no HTML: only the warnings
matter) and prints every warning. Reading the warning log instead of
relying on WARN_AS_ERROR keeps the whole list in one run.
"""
import os
import subprocess
import sys
import tempfile


def doxygen_warnings(doxygen, config_text, scratch):
    """Runs Doxygen on config_text (plus overrides); returns its warnings."""
    log = os.path.join(scratch, "warnings.log")
    overrides = "\n".join([
        "OUTPUT_DIRECTORY = " + scratch,
        "GENERATE_HTML = NO",
        "GENERATE_XML = NO",
        "GENERATE_LATEX = NO",
        "WARN_LOGFILE = " + log,
        "QUIET = YES",
        "",
    ])
    # `doxygen -` reads the configuration from stdin; later settings win.
    run = subprocess.run([doxygen, "-"], input=config_text + "\n" + overrides,
                         text=True, capture_output=True, cwd=scratch)
    if run.returncode != 0:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit("doxygen exited with %d" % run.returncode)
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    # Doxygen continues a warning on indented lines; count the first lines.
    return [line for line in text.splitlines() if line and not line[0].isspace()], text


def check(doxygen, doxyfile):
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    with tempfile.TemporaryDirectory(prefix="mproc-doxygen-") as scratch:
        warnings, text = doxygen_warnings(doxygen, config, scratch)
    if warnings:
        sys.stdout.write(text)
        print("\n%d Doxygen warning(s) in the public headers: every public "
              "function, type, enum value and macro needs a doc comment, and "
              "every parameter a @param that names it." % len(warnings))
        return 1
    print("Doxygen: the public headers are fully documented (no warnings).")
    return 0


def self_test(doxygen):
    header = (
        "/** @file probe.h A header for the self-test. */\n"
        "/** Documented, with a parameter that does not exist.\n"
        " * @param nosuch not a parameter\n"
        " * @param a a number\n"
        " * @return 0 */\n"
        "int probe_documented(int a);\n"
        "int probe_undocumented(int b);\n"
    )
    with tempfile.TemporaryDirectory(prefix="mproc-doxygen-self-") as scratch:
        path = os.path.join(scratch, "probe.h")
        with open(path, "w", encoding="utf-8") as f:
            f.write(header)
        config = "\n".join([
            "INPUT = " + path,
            "WARN_IF_UNDOCUMENTED = YES",
            "WARN_IF_DOC_ERROR = YES",
            "WARN_NO_PARAMDOC = YES",
        ])
        warnings, text = doxygen_warnings(doxygen, config, scratch)
    sys.stdout.write(text)
    expected = ["probe_undocumented", "nosuch"]
    missed = [word for word in expected if word not in text]
    if missed:
        print("self-test: the check did not report: " + ", ".join(missed))
        return 1
    print("self-test: the check reports an undocumented function and a "
          "documented parameter that does not exist.")
    return 0


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    doxygen = sys.argv[1]
    if sys.argv[2] == "--self-test":
        return self_test(doxygen)
    return check(doxygen, sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
