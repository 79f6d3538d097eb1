"""SharedDict, SharedList and their pickling wrappers: the mapping and
sequence protocols, errors as Python's, named objects across processes,
children killed in the middle of updates."""
import collections.abc
import multiprocessing
import os
import pickle
import signal

import mproc

from .support import TestCase, wait_until


def bump_child(name, times):
    """Opens the dict by name and adds one to b"n" `times` times (with
    compare-and-set), and appends its pid to the list of the same name
    plus "-list"."""
    with mproc.SharedDict.open(name) as d, mproc.SharedList.open(name + "-list") as l:
        for _ in range(times):
            while True:
                old = d[b"n"]
                if d.replace(b"n", old, str(int(old) + 1).encode()):
                    break
        l.append(str(os.getpid()).encode())


def forever_writer(name):
    """Sets and deletes keys until killed."""
    d = mproc.SharedDict.open(name)
    d[b"alive"] = str(os.getpid()).encode()
    i = 0
    while True:
        key = b"k%d" % (i % 32)
        value = (b"%08d" % i) * 8
        if i % 3 == 2:
            d.pop(key, None)
        else:
            d[key] = value
        i += 1


def fork_child(d, l):
    d[b"from"] = b"child"
    l.append(b"child")


class SharedDictProtocol(TestCase):
    def test_mapping(self):
        d = self.closing(mproc.SharedDict({b"a": b"1"}))
        self.assertIsInstance(d, collections.abc.MutableMapping)
        d[b"b"] = bytearray(b"2")
        d[memoryview(b"c")] = b"3"
        self.assertEqual(d[b"b"], b"2")
        self.assertEqual(len(d), 3)
        self.assertIn(b"a", d)
        self.assertNotIn(b"zz", d)
        self.assertNotIn("a", d)
        self.assertEqual(sorted(d), [b"a", b"b", b"c"])
        self.assertEqual(sorted(d.items()), [(b"a", b"1"), (b"b", b"2"), (b"c", b"3")])
        self.assertEqual(sorted(d.values()), [b"1", b"2", b"3"])
        self.assertEqual(d.copy(), {b"a": b"1", b"b": b"2", b"c": b"3"})
        self.assertEqual(d, {b"a": b"1", b"b": b"2", b"c": b"3"})
        self.assertEqual(d.get(b"zz"), None)
        self.assertEqual(d.get(b"zz", b"default"), b"default")
        with self.assertRaises(KeyError) as caught:
            d[b"zz"]
        self.assertEqual(caught.exception.args, (b"zz",))
        del d[b"c"]
        with self.assertRaises(KeyError):
            del d[b"c"]
        self.assertEqual(d.pop(b"b"), b"2")
        self.assertEqual(d.pop(b"b", b"gone"), b"gone")
        with self.assertRaises(KeyError):
            d.pop(b"b")
        self.assertEqual(d.setdefault(b"s", b"first"), b"first")
        self.assertEqual(d.setdefault(b"s", b"second"), b"first")
        self.assertTrue(d.replace(b"s", b"first", b"third"))
        self.assertFalse(d.replace(b"s", b"first", b"fourth"))
        with self.assertRaises(KeyError):
            d.replace(b"nope", b"x", b"y")
        d.update({b"u": b"v"})
        d.update([(b"w", b"x")])
        self.assertEqual(d[b"w"], b"x")
        key, value = d.popitem()
        self.assertNotIn(key, d)
        d[b""] = b""
        self.assertEqual(d[b""], b"")
        big = os.urandom(100000)
        d[b"big"] = big
        self.assertEqual(d[b"big"], big)
        used, limit = d.usage()
        self.assertGreater(used, 100000)
        self.assertEqual(limit, 1 << 30)
        d.check()
        d.clear()
        self.assertEqual(len(d), 0)
        self.assertEqual(d.items(), [])

    def test_bad_keys_and_values(self):
        d = self.closing(mproc.SharedDict())
        with self.assertRaises(TypeError):
            d["text"] = b"v"
        with self.assertRaises(TypeError):
            d[b"k"] = "text"
        with self.assertRaises(TypeError):
            d[b"k"] = 5
        with self.assertRaises(TypeError):
            d[5]
        with self.assertRaises(ValueError):
            mproc.SharedDict(limit=10)
        with self.assertRaises(ValueError):
            mproc.SharedDict(limit=-1)

    def test_full(self):
        d = self.closing(mproc.SharedDict(limit=4096))
        with self.assertRaises(mproc.ContainerFullError) as caught:
            for i in range(1000):
                d[b"k%d" % i] = b"v" * 200
        self.assertIsInstance(caught.exception, MemoryError)
        self.assertIn("full", str(caught.exception))
        n = len(d)
        self.assertGreater(n, 5)
        del d[b"k0"]
        d[b"k0"] = b"v" * 200
        self.assertEqual(len(d), n)
        d.check()

    def test_closed(self):
        d = mproc.SharedDict()
        d.close()
        with self.assertRaises(mproc.ClosedError):
            d[b"a"] = b"1"
        self.assertIn("closed", repr(d))


class SharedListProtocol(TestCase):
    def test_sequence(self):
        l = self.closing(mproc.SharedList([b"b", b"c"]))
        self.assertIsInstance(l, collections.abc.MutableSequence)
        l.insert(0, b"a")
        l.append(b"e")
        l.insert(-1, b"d")
        l.insert(100, b"f")
        l.insert(-100, b"0")
        self.assertEqual(list(l), [b"0", b"a", b"b", b"c", b"d", b"e", b"f"])
        self.assertEqual(l, [b"0", b"a", b"b", b"c", b"d", b"e", b"f"])
        self.assertEqual(l[0], b"0")
        self.assertEqual(l[-1], b"f")
        self.assertEqual(l[1:3], [b"a", b"b"])
        self.assertEqual(l[::-1][0], b"f")
        self.assertEqual(list(reversed(l))[0], b"f")
        self.assertEqual(len(l), 7)
        self.assertIn(b"c", l)
        self.assertEqual(l.index(b"c"), 3)
        self.assertEqual(l.count(b"c"), 1)
        with self.assertRaises(IndexError):
            l[7]
        with self.assertRaises(IndexError):
            l[-8]
        with self.assertRaises(IndexError):
            l[2 ** 80]
        with self.assertRaises(TypeError):
            l["0"]
        l[1] = b"A"
        with self.assertRaises(IndexError):
            l[10] = b"x"
        with self.assertRaises(TypeError):
            l[0:1] = [b"x"]
        self.assertEqual(l.pop(), b"f")
        self.assertEqual(l.pop(0), b"0")
        del l[-1]
        l.remove(b"c")
        self.assertEqual(l.snapshot(), [b"A", b"b", b"d"])
        l.extend([b"x", b"y"])
        l += [b"z"]
        l.reverse()
        self.assertEqual(l.snapshot(), [b"z", b"y", b"x", b"d", b"b", b"A"])
        l.check()
        l.clear()
        self.assertEqual(len(l), 0)
        with self.assertRaises(IndexError) as caught:
            l.pop()
        self.assertIn("empty", str(caught.exception))


class PickledWrappers(TestCase):
    def test_objects(self):
        d = mproc.PickledDict()
        self.addCleanup(d.close)
        d[("k", 1)] = {"value": [1, 2, 3]}
        d["plain"] = None
        self.assertEqual(d[("k", 1)], {"value": [1, 2, 3]})
        self.assertIsNone(d["plain"])
        self.assertIn("plain", d)
        self.assertEqual(sorted(map(str, d)), ["('k', 1)", "plain"])
        self.assertEqual(d.pop("plain"), None)
        self.assertEqual(d.pop("plain", 7), 7)
        with self.assertRaises(KeyError):
            d["plain"]
        self.assertEqual(d.setdefault("n", 0), 0)
        self.assertTrue(d.replace("n", 0, 1))
        self.assertEqual(d["n"], 1)
        l = mproc.PickledList(data=[1, "two"])
        self.addCleanup(l.close)
        l.append(3.0)
        l.insert(0, None)
        self.assertEqual(list(l), [None, 1, "two", 3.0])
        self.assertEqual(l[1:3], [1, "two"])
        self.assertEqual(l.pop(), 3.0)
        l[0] = {"x"}
        self.assertEqual(l[0], {"x"})


class AcrossProcesses(TestCase):
    def test_named_ones_open_in_other_processes(self):
        name = self.unique_name()
        self.track(name + "-list")
        d = self.closing(mproc.SharedDict({b"n": b"0"}, name=name))
        l = self.closing(mproc.SharedList(name=name + "-list"))
        self.assertEqual(d.name, name)
        children = [self.start_child(bump_child, name, 50) for _ in range(3)]
        for child in children:
            self.assertEqual(self.join_child(child), 0)
        self.assertEqual(d[b"n"], b"150")
        self.assertEqual(sorted(l), sorted(str(c.pid).encode() for c in children))
        # Pickling a named one sends its name.
        again = pickle.loads(pickle.dumps(d))
        self.addCleanup(again.close)
        self.assertEqual(again[b"n"], b"150")
        d.unlink()
        l.unlink()

    def test_anonymous_ones_reach_forked_children_but_do_not_pickle(self):
        d = self.closing(mproc.SharedDict())
        l = self.closing(mproc.SharedList())
        with self.assertRaises(TypeError):
            pickle.dumps(d)
        ctx = multiprocessing.get_context("fork")
        self.assertEqual(self.run_child(fork_child, d, l, ctx=ctx), 0)
        self.assertEqual(d[b"from"], b"child")
        self.assertEqual(list(l), [b"child"])

    def test_writers_killed_mid_update_leave_it_whole(self):
        name = self.unique_name()
        d = self.closing(mproc.SharedDict(name=name))
        for _ in range(10):
            child = self.start_child(forever_writer, name)
            # Once it is writing (its values change), kill it wherever
            # it is.
            self.assertTrue(wait_until(lambda: d.get(b"alive") == str(child.pid).encode()))
            seen = d.copy()
            self.assertTrue(wait_until(lambda: d.copy() != seen, interval=0))
            os.kill(child.pid, signal.SIGKILL)
            self.join_child(child)
            d.check()
            for key, value in d.items():
                if key.startswith(b"k"):
                    self.assertEqual(len(value), 64)
                    self.assertEqual(value, value[:8] * 8)
        d[b"after"] = b"ok"
        d.check()
        d.unlink()
