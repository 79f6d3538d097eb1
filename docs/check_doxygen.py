#!/usr/bin/env python3
"""Fails when Doxygen warns about the public headers.

    check_doxygen.py DOXYGEN DOXYFILE HEADER...
                                         those headers: exit 1 on any
                                         warning, or on a header without
                                         an @file comment
    check_doxygen.py DOXYGEN --self-test the check itself catches an
                                         undocumented function and a
                                         documented parameter that does
                                         not exist

The Doxyfile (docs/Doxyfile.in) turns on WARN_IF_UNDOCUMENTED,
WARN_IF_DOC_ERROR and WARN_NO_PARAMDOC; this runs Doxygen with that
configuration into a scratch directory (the HTML written there is
thrown away: only the warnings matter) and prints every warning. Reading the warning log instead of
relying on WARN_AS_ERROR keeps the whole list in one run.
"""
import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def doxygen_warnings(doxygen, config_text, scratch):
    """Runs Doxygen on config_text (plus overrides); returns its warnings."""
    log = os.path.join(scratch, "warnings.log")
    overrides = "\n".join([
        "OUTPUT_DIRECTORY = " + scratch,
        # Doxygen 1.9 checks @param lists only while writing a format, and
        # without one it reports documented parameters as missing.
        "GENERATE_HTML = YES",
        "HAVE_DOT = NO",
        # Doxygen 1.9 does not warn about an undocumented enum value; the
        # XML output lets undocumented_enum_values() find them.
        "GENERATE_XML = YES",
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
    text += undocumented_enum_values(os.path.join(scratch, "xml"))
    # Doxygen continues a warning on indented lines; count the first lines.
    return [line for line in text.splitlines() if line and not line[0].isspace()], text


def undocumented_enum_values(xml_dir):
    """Warnings, in Doxygen's format, for enum values without a comment."""
    found = []
    for path in sorted(glob.glob(os.path.join(xml_dir, "*.xml"))):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:
            continue
        for enum in root.iter("memberdef"):
            if enum.get("kind") != "enum":
                continue
            where = enum.find("location")
            place = "%s:%s" % (where.get("file"), where.get("line")) if where is not None else path
            for value in enum.findall("enumvalue"):
                text = "".join(
                    "".join(part.itertext())
                    for part in (value.find("briefdescription"), value.find("detaileddescription"))
                    if part is not None).strip()
                line = "%s: warning: enum value %s of enum %s is not documented.\n" % (
                    place, value.findtext("name"), enum.findtext("name"))
                if not text and line not in found:
                    found.append(line)
    return "".join(found)


def check(doxygen, doxyfile, headers):
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    # Doxygen says nothing about the declarations of a header that has no
    # @file comment of its own, so a header without one is a failure here.
    no_file_doc = []
    for header in headers:
        with open(header, encoding="utf-8") as f:
            if "@file" not in f.read():
                no_file_doc.append(header)
    if no_file_doc:
        print("no @file comment (Doxygen would skip their declarations "
              "silently): " + " ".join(no_file_doc))
        return 1
    config += "\nINPUT = " + " ".join(os.path.abspath(h) for h in headers) + "\n"
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
        "/** An enum with a value left undocumented. */\n"
        "enum probe_enum { /** documented */ PROBE_A, PROBE_B };\n"
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
    expected = ["probe_undocumented", "nosuch", "PROBE_B"]
    missed = [word for word in expected if word not in text]
    if missed:
        print("self-test: the check did not report: " + ", ".join(missed))
        return 1
    if "PROBE_A" in text:
        print("self-test: the documented enum value PROBE_A was reported")
        return 1
    print("self-test: the check reports an undocumented function, a "
          "documented parameter that does not exist and an undocumented "
          "enum value.")
    return 0


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    doxygen = sys.argv[1]
    if sys.argv[2] == "--self-test":
        return self_test(doxygen)
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    return check(doxygen, sys.argv[2], sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
