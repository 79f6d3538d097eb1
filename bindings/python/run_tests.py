#!/usr/bin/env python3
"""Runs the mproc Python binding's test suite; exits non-zero on failure.

    MPROC_LIBRARY=/path/to/libmproc.so.0 python3 run_tests.py [-v] [pattern...]

Without MPROC_LIBRARY, the in-tree build (build/src/libmproc.so.0 at the
top of the repository) is used when it exists. Extra arguments select
tests by unittest -k pattern.
"""
import glob
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if not os.environ.get("MPROC_LIBRARY"):
        in_tree = os.path.join(HERE, "..", "..", "build", "src", "libmproc.so.0")
        if os.path.exists(in_tree):
            os.environ["MPROC_LIBRARY"] = os.path.abspath(in_tree)
    # Children started by the tests inherit both through the environment.
    sys.path.insert(0, HERE)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [HERE] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

    verbose = "-v" in argv
    patterns = [a for a in argv if a != "-v"]
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in patterns]
    suite = loader.discover(os.path.join(HERE, "tests"), top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1).run(suite)

    left = glob.glob(f"/dev/shm/mproc-pytest-{os.getpid()}-*")
    for path in left:
        os.unlink(path)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    if left:
        print(f"left behind in /dev/shm: {left}")
    print(f"{passed} passed, {failed} failed, {len(result.skipped)} skipped")
    if result.testsRun == 0:
        print("no test ran")
        return 1
    return 0 if failed == 0 and not left else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
