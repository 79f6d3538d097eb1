#!/usr/bin/env python3
"""CPython's own multiprocessing tests, run against mproc's Python front end.

    MPROC_LIBRARY=build/src/libmproc.so.0 python3 tests/python/cpython_suite.py fork|spawn [-v] [pattern...]

Lib/test/_test_multiprocessing.py builds its test classes from a mixin
whose factories (Queue, Lock, Barrier, Pipe, Pool, Value, ...) are
multiprocessing's; here they are mproc's, and the tests run with
multiprocessing's fork or spawn start method for the processes the tests
start themselves. Under spawn, the factories make named objects, which
pickle by name into the children (anonymous ones reach children only by
fork); the names are removed after each test.

Every test must pass, or be listed in cpython_differences.txt (beside this
file) with the reason; a listed test must fail (a listed test that passes
is an error: the list stays exact), and every reason must appear word for
word in bindings/python/README.md. The suite comes from the interpreter's
`test` package (Debian: libpython3.11-testsuite); without it this exits 1.
"""
import faulthandler
import os
import sys
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BINDING = os.path.join(ROOT, "bindings", "python")
DIFFERENCES = os.path.join(HERE, "cpython_differences.txt")
README = os.path.join(BINDING, "README.md")
METHODS = ("fork", "spawn")
# CPython's classes with an mproc equivalent for every factory they use.
CLASSES = ("_TestQueue", "_TestLock", "_TestSemaphore", "_TestCondition", "_TestEvent",
           "_TestBarrier", "_TestConnection", "_TestPoll", "_TestListenerClient",
           "_TestValue", "_TestArray", "_TestPool", "_TestPoolWorkerErrors",
           "_TestPoolWorkerLifetime")
# A test that hangs past this aborts the run with every thread's traceback.
TEST_TIMEOUT = 120

# Spawn children import this file as __mp_main__: they need the package too.
sys.path.insert(0, BINDING)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [BINDING] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

try:
    from test import _test_multiprocessing as cpython
except ImportError as exc:   # not a skip: the suite is what this test is about
    sys.exit(f"cpython_suite: CPython's test suite is not importable by {sys.executable} "
             f"({exc}); on Debian install libpython{sys.version_info[0]}."
             f"{sys.version_info[1]}-testsuite (tests/setup.sh lists it)")

import mproc  # noqa: E402

# Names made under spawn in this process, removed after each test.
_made = []


def _named(factory):
    """factory with named=True (spawn: the object pickles by its name)."""
    def make(*args, **kwargs):
        kwargs.setdefault("named", True)
        obj = factory(*args, **kwargs)
        _made.append(obj)
        return obj
    return staticmethod(make)


def _unlink_made():
    while _made:
        obj = _made.pop()
        target = getattr(obj, "_shm", obj)      # Value/Array: their block
        try:
            target.unlink()
        except (FileNotFoundError, ValueError):
            pass


_connection = types.SimpleNamespace(
    Listener=mproc.Listener, Client=mproc.Client, wait=mproc.wait,
    families=cpython.multiprocessing.connection.families,
    Connection=mproc.Connection)


def _mixin(method):
    """ProcessesMixin with mproc's factories."""
    wrap = _named if method == "spawn" else staticmethod
    attrs = {name: wrap(getattr(mproc, name)) for name in (
        "Queue", "JoinableQueue", "Lock", "RLock", "Semaphore", "BoundedSemaphore",
        "Condition", "Event", "Barrier", "Value", "Array")}
    attrs.update(
        Pipe=staticmethod(mproc.Pipe), Pool=staticmethod(mproc.Pool),
        RawValue=staticmethod(mproc.RawValue), RawArray=staticmethod(mproc.RawArray),
        connection=_connection)
    return type(f"Mproc{method.capitalize()}Mixin", (cpython.ProcessesMixin,), attrs)


def _class_name(method, base):
    return f"Mproc{method.capitalize()}{base[1:]}"


def _install():
    """Defines the test classes for both methods in this module, as CPython's
    install_tests_in_module_dict does (a spawn child finds them here)."""
    for method in METHODS:
        mixin = _mixin(method)
        for base_name in CLASSES:
            base = getattr(cpython, base_name)

            def tearDown(self, _base=base):
                try:
                    getattr(super(type(self), self), "tearDown", lambda: None)()
                finally:
                    _unlink_made()

            cls = type(_class_name(method, base_name), (base, mixin, unittest.TestCase),
                       {"tearDown": tearDown, "__module__": __name__})
            globals()[cls.__name__] = cls


_install()


def read_differences(path=DIFFERENCES):
    """{(method, "_TestX.test_y"): reason} from the list; method is fork or
    spawn ("both" in the file stands for the two)."""
    listed = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, sep, reason = line.partition("|")
            fields = head.split()
            if not sep or len(fields) != 2 or fields[0] not in METHODS + ("both",) \
                    or not reason.strip():
                sys.exit(f"{path}:{number}: expected 'fork|spawn|both _TestX.test_y | reason'")
            for method in (METHODS if fields[0] == "both" else (fields[0],)):
                listed[(method, fields[1])] = reason.strip()
    return listed


class _Result(unittest.TextTestResult):
    """Counts per CPython class: run, passed, listed (and failed)."""

    def __init__(self, *args, method, listed, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        self.listed = listed
        self.counts = {}
        self.bad = []

    def _key(self, test):
        base = "_" + type(test).__name__[len(f"Mproc{self.method.capitalize()}"):]
        return base, f"{base}.{test._testMethodName}"

    def _count(self, test, what):
        base, _ = self._key(test)
        counts = self.counts.setdefault(base, {"run": 0, "passed": 0, "listed": 0,
                                               "failed": 0, "skipped": 0})
        counts[what] += 1

    def startTest(self, test):
        faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
        self._count(test, "run")
        super().startTest(test)

    def stopTest(self, test):
        faulthandler.cancel_dump_traceback_later()
        super().stopTest(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        _, key = self._key(test)
        if (self.method, key) in self.listed:
            self._count(test, "failed")
            self.bad.append(f"{key}: listed in cpython_differences.txt but passed "
                            f"(remove it from the list)")
        else:
            self._count(test, "passed")

    def _failed(self, test, err):
        _, key = self._key(test)
        if (self.method, key) in self.listed:
            self._count(test, "listed")
        else:
            self._count(test, "failed")
            self.bad.append(f"{key}: {self._exc_info_to_string(err, test)}")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._failed(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._failed(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._count(test, "skipped")


def reasons_missing_from_readme(listed):
    with open(README, encoding="utf-8") as f:
        readme = " ".join(f.read().split())
    return sorted({r for r in listed.values() if " ".join(r.split()) not in readme})


def main(argv):
    if not argv or argv[0] not in METHODS:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(METHODS)} [-v] [pattern...]")
    method, rest = argv[0], argv[1:]
    verbose = "-v" in rest
    patterns = [a for a in rest if a != "-v"]
    listed = read_differences()
    missing = reasons_missing_from_readme(listed)

    cpython.multiprocessing.set_start_method(method, force=True)
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in patterns]
    suite = unittest.TestSuite(
        loader.loadTestsFromTestCase(globals()[_class_name(method, name)]) for name in CLASSES)
    runner = unittest.TextTestRunner(
        verbosity=2 if verbose else 1, stream=sys.stdout,
        resultclass=lambda *a, **k: _Result(*a, method=method, listed=listed, **k))
    result = runner.run(suite)

    print(f"\nCPython {sys.version.split()[0]} ({cpython.__file__}), start method {method}")
    print(f"{'class':28} {'run':>4} {'passed':>6} {'listed':>6} {'failed':>6} {'skipped':>7}")
    total = dict.fromkeys(("run", "passed", "listed", "failed", "skipped"), 0)
    for name in CLASSES:
        counts = result.counts.get(name)
        if counts is None:
            continue
        print(f"{name:28} {counts['run']:4} {counts['passed']:6} {counts['listed']:6} "
              f"{counts['failed']:6} {counts['skipped']:7}")
        for key in total:
            total[key] += counts[key]
    print(f"{'total':28} {total['run']:4} {total['passed']:6} {total['listed']:6} "
          f"{total['failed']:6} {total['skipped']:7}")
    for line in result.bad:
        print(f"NOT AS LISTED: {line}")
    for reason in missing:
        print(f"reason not repeated in bindings/python/README.md: {reason}")
    if total["run"] == 0:
        print("no test ran")
        return 1
    return 0 if not result.bad and not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
