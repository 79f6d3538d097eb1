#!/usr/bin/env python3
"""Fails when the error codes, the headers' per-function error lists and
tests/c/test_documented_errors.c drift apart, in either direction.

    check_documented_errors.py INCLUDE_DIR TEST_C          the check
    check_documented_errors.py INCLUDE_DIR TEST_C --self-test
                                     the check catches each kind of drift

The documented error table is what the headers say each function returns:
the codes named in the doc comment right before its declaration (with
those of a function it refers to as "as mproc_x"), plus the codes its
header's @file comment names for every call there, plus MPROC_EINVAL and
MPROC_ENOMEM, which mproc/common.h allows every call. The check fails when
 1. a code of mproc_errno_t is in no function's list (a new code nobody
    documented as coming from anywhere);
 2. a code of mproc_errno_t is neither provoked by the test
    (assert_mproc_code(call(...), MPROC_E...)) nor listed in the test's
    not_provoked[] table with a reason (a new code nobody decided about);
 3. the test provokes a code that the called function's list lacks (the
    code returns something the documentation does not say);
 4. not_provoked[] names a code the test provokes after all, or twice.
"""
import os
import re
import sys

CODE = re.compile(r"\bMPROC_E[A-Z0-9]+\b")
COMMON_CODES = {"MPROC_EINVAL", "MPROC_ENOMEM"}


def enum_codes(common_h):
    """The MPROC_E* values of mproc_errno_t."""
    body = common_h[common_h.index("typedef enum mproc_errno_e"):]
    body = body[:body.index("} mproc_errno_t;")]
    return set(re.findall(r"^\s*(MPROC_E[A-Z0-9]+)\s*=", body, re.M))


def documented_table(headers):
    """{function: set of codes its documentation names}."""
    direct, refers = {}, {}
    for text in headers.values():
        file_doc = re.search(r"/\*\*(.*?)\*/", text, re.S)
        header_codes = set(CODE.findall(file_doc.group(1))) if file_doc else set()
        for m in re.finditer(r"/\*\*((?:(?!\*/).)*?)\*/\s*MPROC_API\b[^;{(]*?\b(mproc_\w+)\s*\(",
                             text, re.S):
            comment, name = m.group(1), m.group(2)
            direct[name] = set(CODE.findall(comment)) | header_codes | COMMON_CODES
            refers[name] = set(re.findall(r"\bas (mproc_\w+)", comment))
    table = {}
    for name in direct:
        seen, todo, codes = set(), [name], set()
        while todo:
            fn = todo.pop()
            if fn in seen or fn not in direct:
                continue
            seen.add(fn)
            codes |= direct[fn]
            todo.extend(refers[fn])
        table[name] = codes
    return table


def matching_paren(text, open_at):
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses at offset %d" % open_at)


def provoked(test_c):
    """[(function, code, line)] for each assert_mproc_code(fn(...), CODE)."""
    found = []
    for m in re.finditer(r"\bassert_mproc_code\s*\(", test_c):
        end = matching_paren(test_c, m.end() - 1)
        args = test_c[m.end():end]
        call = re.match(r"\s*(mproc_\w+)\s*\(", args)
        codes = CODE.findall(args)
        if call and codes:
            found.append((call.group(1), codes[-1], test_c.count("\n", 0, m.start()) + 1))
    return found


def not_provoked(test_c):
    """[code] listed in the test's not_provoked[] table."""
    m = re.search(r"not_provoked\[\]\s*=\s*\{(.*?)\n\};", test_c, re.S)
    if not m:
        return None
    return re.findall(r"\{\s*(MPROC_E[A-Z0-9]+)\s*,", m.group(1))


def problems(common_h, headers, test_c):
    codes = enum_codes(common_h)
    table = documented_table(headers)
    tried = provoked(test_c)
    excused = not_provoked(test_c)
    out = []
    if not codes:
        out.append("no MPROC_E* value found in mproc_errno_t")
    if excused is None:
        out.append("test_documented_errors.c has no not_provoked[] table")
        excused = []
    anywhere = set().union(*table.values()) if table else set()
    for code in sorted(codes - anywhere):
        out.append("%s is in mproc_errno_t but no function's documentation names it" % code)
    tried_codes = {code for _, code, _ in tried}
    for code in sorted(codes - tried_codes - set(excused)):
        out.append("%s is in mproc_errno_t but test_documented_errors.c neither provokes it nor "
                   "lists it in not_provoked[] with a reason" % code)
    for code in sorted(set(excused) & tried_codes):
        out.append("%s is in not_provoked[] but the test provokes it" % code)
    for code in sorted({c for c in excused if excused.count(c) > 1}):
        out.append("%s is in not_provoked[] twice" % code)
    for code in sorted(set(excused) - codes):
        out.append("not_provoked[] names %s, which mproc_errno_t lacks" % code)
    for fn, code, line in tried:
        if fn not in table:
            out.append("test_documented_errors.c:%d: %s has no doc comment in the headers"
                       % (line, fn))
        elif code not in table[fn]:
            out.append("test_documented_errors.c:%d: %s returns %s, which its documentation "
                       "does not list" % (line, fn, code))
    return out


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def self_test(common_h, headers, test_c):
    """Each kind of drift, made on a copy, is reported."""
    failures = []

    def expect(what, common, hdrs, test, needle):
        found = problems(common, hdrs, test)
        if not any(needle in p for p in found):
            failures.append("%s: not reported (wanted %r; got %r)" % (what, needle, found))

    new_code = common_h.replace("  MPROC_OK = 0", "  /** A probe. */\n  MPROC_EPROBE = -3098,\n  MPROC_OK = 0")
    expect("a new enum value", new_code, headers, test_c, "MPROC_EPROBE is in mproc_errno_t")
    undocumented = {k: v.replace("MPROC_EOVERFLOW", "MPROC_EXXX") for k, v in headers.items()}
    expect("a code no function documents", common_h, undocumented, test_c,
           "MPROC_EOVERFLOW is in mproc_errno_t but no function")
    extra = test_c.replace("int main(", "static void probe(void) {\n"
                           "  assert_mproc_code(mproc_event_set(NULL), MPROC_EOVERFLOW);\n}\n"
                           "int main(", 1)
    expect("a provoked code the function does not document", common_h, headers, extra,
           "mproc_event_set returns MPROC_EOVERFLOW")
    excused = re.search(r"\{\s*(MPROC_E[A-Z0-9]+)\s*,", test_c[test_c.index("not_provoked[]"):])
    if excused:
        dropped = test_c.replace(excused.group(0), "{MPROC_OK,", 1)
        expect("a code dropped from not_provoked[]", common_h, headers, dropped,
               "%s is in mproc_errno_t but test_documented_errors.c" % excused.group(1))
    for f in failures:
        print("self-test: " + f)
    if not failures:
        print("self-test: a new enum value, an undocumented code, a provoked code missing from "
              "its function's list and a code dropped from not_provoked[] are all reported.")
    return 1 if failures else 0


def main():
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    include, test_path = sys.argv[1], sys.argv[2]
    headers = {name: read(os.path.join(include, name))
               for name in sorted(os.listdir(include)) if name.endswith(".h")}
    common_h, test_c = headers["common.h"], read(test_path)
    if sys.argv[3:] == ["--self-test"]:
        return self_test(common_h, headers, test_c)
    found = problems(common_h, headers, test_c)
    for p in found:
        print(p)
    if found:
        print("\n%d drift(s) between mproc_errno_t, the headers' error lists and "
              "tests/c/test_documented_errors.c." % len(found))
        return 1
    print("Every error code is documented and provoked (or excused with a reason), and every "
          "provoked code is in its function's documentation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
