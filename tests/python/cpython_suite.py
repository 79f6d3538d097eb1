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
import functools
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
# mproc.Process starts children by spawn only: its class runs in the spawn
# pass, with mproc.Process, current_process and active_children.
MPROC_PROCESS_CLASSES = ("_TestProcess",)
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


def _make_named(factory, *args, **kwargs):
    """factory(...) with named=True (under spawn the object pickles by its
    name), remembered for _unlink_made()."""
    kwargs.setdefault("named", True)
    obj = factory(*args, **kwargs)
    _made.append(obj)
    return obj


def _named(factory):
    return staticmethod(functools.partial(_make_named, factory))


def _named_shared(factory):
    """Value/Array under spawn: a named block, and a named RLock unless the
    test gives its lock (a Value's default lock is anonymous)."""
    def make(*args, lock=True, **kwargs):
        if lock is True or lock is None:
            lock = _make_named(mproc.RLock)
        return _make_named(factory, *args, lock=lock, **kwargs)
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
        "Condition", "Event", "Barrier")}
    shared = _named_shared if method == "spawn" else staticmethod
    attrs.update(Value=shared(mproc.Value), Array=shared(mproc.Array))
    if method == "spawn":
        # RawValue/RawArray are Value/Array(lock=False), which may be named.
        attrs.update(RawValue=_named(functools.partial(mproc.Value, lock=False)),
                     RawArray=_named(functools.partial(mproc.Array, lock=False)))
    attrs.update(
        Pipe=staticmethod(mproc.Pipe), Pool=staticmethod(mproc.Pool),
        connection=_connection)
    attrs.setdefault("RawValue", staticmethod(mproc.RawValue))
    attrs.setdefault("RawArray", staticmethod(mproc.RawArray))
    return type(f"Mproc{method.capitalize()}Mixin", (cpython.ProcessesMixin,), attrs)


def _classes(method):
    return CLASSES + (MPROC_PROCESS_CLASSES if method == "spawn" else ())


def _class_name(method, base):
    return f"Mproc{method.capitalize()}{base[1:]}"


def _install():
    """Defines the test classes for both methods in this module, as CPython's
    install_tests_in_module_dict does (a spawn child finds them here)."""
    for method in METHODS:
        mixin = _mixin(method)
        for base_name in _classes(method):
            base = getattr(cpython, base_name)
            extra = {}
            if base_name in MPROC_PROCESS_CLASSES:
                extra = dict(Process=mproc.Process,
                             current_process=staticmethod(mproc.current_process),
                             active_children=staticmethod(mproc.active_children))

            def tearDown(self):
                try:
                    getattr(super(type(self), self), "tearDown", lambda: None)()
                finally:
                    _unlink_made()

            cls = type(_class_name(method, base_name), (base, mixin, unittest.TestCase),
                       {"tearDown": tearDown, "__module__": __name__, **extra})
            globals()[cls.__name__] = cls


_install()


def read_differences(path=DIFFERENCES):
    """({(method, "_TestX.test_y"): reason}, {key: mark}) from the list;
    method is fork or spawn ("both" in the file stands for the two). A mark
    after the test's name: "not-run", a test that, failing, would wait out
    CPython's own long timeouts (minutes): listed, not run; "may-pass", a
    test whose failure depends on timing (it fails almost always): a pass
    is not reported."""
    listed = {}
    marks = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, sep, reason = line.partition("|")
            fields = head.split()
            if not sep or len(fields) not in (2, 3) or fields[0] not in METHODS + ("both",) \
                    or fields[2:] not in ([], ["not-run"], ["may-pass"]) or not reason.strip():
                sys.exit(f"{path}:{number}: expected 'fork|spawn|both _TestX.test_y "
                         f"[not-run|may-pass] | reason'")
            for method in (METHODS if fields[0] == "both" else (fields[0],)):
                if (method, fields[1]) in listed:
                    sys.exit(f"{path}:{number}: {fields[1]} is listed twice for {method}")
                listed[(method, fields[1])] = reason.strip()
                if fields[2:]:
                    marks[(method, fields[1])] = fields[2]
    return listed, marks


def _base_and_key(method, test):
    """("_TestX", "_TestX.test_y") for a test of this module's classes."""
    base = "_" + type(test).__name__[len(f"Mproc{method.capitalize()}"):]
    return base, f"{base}.{test._testMethodName}"


class _Result(unittest.TextTestResult):
    """Counts per CPython class: run, passed, listed (and failed)."""

    def __init__(self, *args, method, listed, may_pass, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        self.listed = listed
        self.may_pass = may_pass
        self.counts = {}
        self.bad = []

    def _key(self, test):
        return _base_and_key(self.method, test)

    def count(self, base, what):
        counts = self.counts.setdefault(base, {"run": 0, "passed": 0, "listed": 0,
                                               "not_run": 0, "failed": 0, "skipped": 0})
        counts[what] += 1

    def _count(self, test, what):
        self.count(self._key(test)[0], what)

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
        if (self.method, key) in self.may_pass:
            self._count(test, "passed")
            print(f"\nlisted as may-pass, and passed this time: {key}")
        elif (self.method, key) in self.listed:
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
    listed, marks = read_differences()
    not_run = {key for key, mark in marks.items() if mark == "not-run"}
    may_pass = {key for key, mark in marks.items() if mark == "may-pass"}
    missing = reasons_missing_from_readme(listed)

    cpython.multiprocessing.set_start_method(method, force=True)
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in patterns]
    tests = [test for name in _classes(method)
             for test in loader.loadTestsFromTestCase(globals()[_class_name(method, name)])]
    runner = unittest.TextTestRunner(
        verbosity=2 if verbose else 1, stream=sys.stdout,
        resultclass=lambda *a, **k: _Result(*a, method=method, listed=listed,
                                            may_pass=may_pass, **k))
    skipped_keys = []
    for test in tests:
        base, key = _base_and_key(method, test)
        if (method, key) in not_run:
            skipped_keys.append((base, key))
            print(f"not run (listed): {key}")
    result = runner.run(unittest.TestSuite(
        t for t in tests if (method, _base_and_key(method, t)[1]) not in not_run))
    for base, _ in skipped_keys:
        result.count(base, "not_run")

    columns = ("run", "passed", "listed", "not_run", "failed", "skipped")
    print(f"\nCPython {sys.version.split()[0]} ({cpython.__file__}), start method {method}")
    print(f"{'class':28}" + "".join(f" {c.replace('_', ' '):>7}" for c in columns))
    total = dict.fromkeys(columns, 0)
    for name in _classes(method):
        counts = result.counts.get(name)
        if counts is None:
            continue
        print(f"{name:28}" + "".join(f" {counts[c]:7}" for c in columns))
        for key in total:
            total[key] += counts[key]
    print(f"{'total':28}" + "".join(f" {total[c]:7}" for c in columns))
    for test, reason in result.skipped:
        print(f"skipped by CPython's suite: {result._key(test)[1]}: {reason}")
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
