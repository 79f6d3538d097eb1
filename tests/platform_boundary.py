#!/usr/bin/env python3
"""Core holds no OS calls and no #ifdef (issue 12: the platform boundary).

    platform_boundary.py CORE_DIR     check every .cpp/.hpp under CORE_DIR
    platform_boundary.py --self-test  show that each rule catches a bad line

Every OS call lives under src/platform/<family>/ behind the interfaces of
src/platform/*.hpp. A file under src/core fails the check when it has
  - a preprocessor conditional (#if, #ifdef, #ifndef, #elif...): the build
    picks a platform by folder, never by #if;
  - an #include of an OS header (unistd.h, signal.h, sys/..., linux/...,
    windows.h, ...);
  - a call of a raw OS function (::poll, ::read, fork(, waitpid(, ...);
  - a use of one of libuv's private loop fields (loop.async_wfd, ...).
Comments and string literals are not looked at.
"""
import os
import re
import sys
import tempfile

CONDITIONAL = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif|elifdef|elifndef)\b")
OS_HEADERS = re.compile(
    r"^\s*#\s*include\s*<\s*("
    r"unistd\.h|signal\.h|csignal|fcntl\.h|poll\.h|pthread\.h|sched\.h|semaphore\.h|"
    r"spawn\.h|dlfcn\.h|time\.h|windows\.h|winsock2\.h|ws2tcpip\.h|io\.h|process\.h|"
    r"sys/[^>]*|linux/[^>]*|asm/[^>]*"
    r")\s*>")
# `::name(` only where `::` starts the name (a global-namespace call), so
# that Command::read( or platform::read_nowait( do not count.
RAW_CALLS = re.compile(
    r"(?<![\w>)\]])::(poll|read|write|close|open|recv|send|kill|stat|fstat)\s*\("
    r"|\b(fork|vfork|waitpid|waitid|pipe2?|sigprocmask|pthread_sigmask|setpgid|_exit|"
    r"signalfd|getpid|getppid|sysconf|socketpair|sched_yield|pthread_[a-z_]+)\s*\("
    r"|\bextern\s+char\s*\*\*\s*environ\b")
# libuv's private loop fields: their layout changes between releases.
UV_PRIVATE = re.compile(
    r"(\.|->)(async_io_watcher|async_wfd|async_handles|signal_pipefd|signal_io_watcher|"
    r"backend_fd|watchers|nwatchers|watcher_queue|pending_queue|handle_queue|"
    r"closing_handles|emfile_fd|inotify_fd|child_watcher)\b")


def strip_comments_and_strings(text):
    """Blanks out comments and string/char literals, keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * max(0, min(j, n) - i - 1) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def check_file(path, rel):
    problems = []
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    raw_lines = raw.splitlines()
    code_lines = strip_comments_and_strings(raw).splitlines()
    for no, line in enumerate(raw_lines, 1):
        # Include lines are read as written: their <...> is no string.
        if CONDITIONAL.search(line):
            problems.append(f"{rel}:{no}: preprocessor conditional: {line.strip()}")
        elif OS_HEADERS.search(line):
            problems.append(f"{rel}:{no}: OS header (belongs in src/platform): {line.strip()}")
    for no, line in enumerate(code_lines, 1):
        if line.lstrip().startswith("#"):
            continue
        m = UV_PRIVATE.search(line)
        if m:
            problems.append(f"{rel}:{no}: libuv private field '{m.group(0)}' "
                            f"(use libuv's API, e.g. uv_loop_fork): {raw_lines[no - 1].strip()}")
            continue
        m = RAW_CALLS.search(line)
        if m:
            problems.append(f"{rel}:{no}: raw OS call '{m.group(0).strip()}' "
                            f"(use a src/platform interface): {raw_lines[no - 1].strip()}")
    return problems


def check_tree(root):
    problems = []
    count = 0
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if not name.endswith((".cpp", ".hpp", ".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            count += 1
            problems += check_file(path, os.path.relpath(path, root))
    return count, problems


BAD_LINES = [
    "#ifdef _WIN32\nint x;\n#endif\n",
    "#if defined(__GLIBC__)\n#endif\n",
    "  #  ifndef FOO\n#endif\n",
    "#include <unistd.h>\n",
    "#include <sys/wait.h>\n",
    "#include <linux/futex.h>\n",
    "#include <windows.h>\n",
    "void f() { ::poll(nullptr, 0, 0); }\n",
    "void f(int fd) { ::close(fd); }\n",
    "void f() { pid_t p = fork(); }\n",
    "void f() { waitpid(-1, nullptr, 0); }\n",
    "void f() { _exit(1); }\n",
    "void f() { sigprocmask(0, nullptr, nullptr); }\n",
    "void f() { setpgid(0, 0); }\n",
    "void f(int* p) { pipe2(p, 0); }\n",
    "extern char** environ;\n",
    "void f(uv_loop_t& l) { int fd = l.async_io_watcher.fd; }\n",
    "void f(uv_loop_t* l) { int fd = l->async_wfd; }\n",
]
GOOD = """#pragma once
#include <cstdio>
#include "platform/process.hpp"
// fork() and ::poll( in a comment are fine; so is "waitpid(" in a string.
int Command::read(int fd) { return platform::read_nowait(fd, nullptr, 0) + fork_count(); }
void g() { platform::exit_immediately(1); const char* s = "_exit(2) #ifdef"; }
"""


def self_test():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        good = os.path.join(tmp, "good.cpp")
        with open(good, "w") as f:
            f.write(GOOD)
        _, problems = check_tree(tmp)
        if problems:
            failures.append("a clean file was flagged:\n  " + "\n  ".join(problems))
        for k, bad in enumerate(BAD_LINES):
            path = os.path.join(tmp, "sub", f"bad{k}.hpp")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(bad)
            _, problems = check_tree(tmp)
            if not problems:
                failures.append(f"not caught: {bad.strip()!r}")
            os.remove(path)
    for f in failures:
        print(f, file=sys.stderr)
    if failures:
        return 1
    print(f"self-test: every one of {len(BAD_LINES)} bad lines caught, the clean file passes")
    return 0


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--self-test":
        return self_test()
    count, problems = check_tree(sys.argv[1])
    if count == 0:
        print(f"no sources under {sys.argv[1]}", file=sys.stderr)
        return 1
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} platform boundary violation(s) in {sys.argv[1]}", file=sys.stderr)
        return 1
    print(f"ok: {count} files under {sys.argv[1]} hold no OS calls and no #if")
    return 0


if __name__ == "__main__":
    sys.exit(main())
