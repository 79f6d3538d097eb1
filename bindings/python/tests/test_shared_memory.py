import gc
import struct
from multiprocessing import shared_memory

import mproc

from .support import TestCase


def write_through_name(name, text):
    with mproc.SharedMemory(name) as shm:
        shm.buf[:len(text)] = text
        struct.pack_into("q", shm.buf, 64, shm.size)


class SharedMemoryTests(TestCase):
    def test_anonymous_block(self):
        shm = self.closing(mproc.SharedMemory(size=100))
        self.assertIsNone(shm.name)
        self.assertEqual(shm.size, 100)
        self.assertEqual(len(shm.buf), 100)
        self.assertEqual(bytes(shm.buf), bytes(100))     # zero-filled
        shm.buf[10:13] = b"abc"
        self.assertEqual(bytes(shm.buf[10:13]), b"abc")
        self.assertRaises(ValueError, shm.unlink)

    def test_visible_across_processes(self):
        shm = self.closing(mproc.SharedMemory(name=self.unique_name(), create=True,
                                              size=4096))
        self.addCleanup(shm.unlink)
        self.assertEqual(self.run_child(write_through_name, shm.name, b"from child"), 0)
        self.assertEqual(bytes(shm.buf[:10]), b"from child")
        self.assertEqual(struct.unpack_from("q", shm.buf, 64)[0], 4096)

    def test_open_by_name_shares_bytes(self):
        shm = self.closing(mproc.SharedMemory(size=10, named=True))
        self.track(shm.name)
        self.addCleanup(shm.unlink)
        other = self.closing(mproc.SharedMemory.open(shm.name))
        self.assertGreaterEqual(other.size, 10)
        other.buf[0] = 42
        self.assertEqual(shm.buf[0], 42)

    def test_close_refuses_while_views_live(self):
        shm = mproc.SharedMemory(size=16)
        view = shm.buf[2:6]
        self.assertRaises(BufferError, shm.close)
        shm.buf[0] = 1                 # still usable after the refusal
        del view
        exported = memoryview(shm.buf)
        self.assertRaises(BufferError, shm.close)
        exported.release()
        buf = shm.buf
        shm.close()
        self.assertRaises(mproc.ClosedError, lambda: shm.buf)
        self.assertRaises(ValueError, lambda: buf[0])     # released view
        shm.close()

    def test_views_outlive_an_unclosed_block(self):
        shm = mproc.SharedMemory(size=8)
        view = shm.buf[:4]
        del shm
        gc.collect()
        view[0] = 7                    # the mapping must still be there
        self.assertEqual(view[0], 7)
        with self.assertWarns(ResourceWarning):
            del view
            gc.collect()

    def test_lock(self):
        shm = self.closing(mproc.SharedMemory(size=8))
        lock = shm.lock()
        self.assertIs(shm.lock(), lock)
        with lock:
            self.assertTrue(lock.locked())
        shm.close()
        self.assertTrue(lock.closed)

    def test_bad_arguments(self):
        self.assertRaises(ValueError, mproc.SharedMemory, size=0)
        self.assertRaises(ValueError, mproc.SharedMemory, size=-5)
        self.assertRaises(TypeError, mproc.SharedMemory, size="8")
        self.assertRaises(ValueError, mproc.SharedMemory, create=False)
        self.assertRaises(FileNotFoundError, mproc.SharedMemory, "mproc-pytest-absent")
        self.assertRaises(ValueError, mproc.SharedMemory, "bad name", True, 8)
        name = self.unique_name()
        with mproc.SharedMemory(name=name, create=True, size=8) as shm:
            self.assertRaises(FileExistsError, mproc.SharedMemory, name, True, 8)
            shm.unlink()


class ForeignNames(TestCase):
    """A name in /dev/shm that holds no mproc object (here one of Python's
    own SharedMemory blocks) is another kind of object: TypeError
    (WrongTypeError, ETYPE), and the block is left as it was (issue 21,
    item 4)."""

    OPENERS = (mproc.Lock.open, mproc.RLock.open, mproc.Semaphore.open,
               mproc.BoundedSemaphore.open, mproc.Event.open, mproc.Condition.open,
               mproc.Barrier.open, mproc.Queue.open, mproc.JoinableQueue.open,
               mproc.SharedMemory.open, mproc.SharedMemory)

    def foreign_block(self, size, fill):
        block = shared_memory.SharedMemory(create=True, size=size)
        self.addCleanup(block.unlink)
        self.addCleanup(block.close)
        block.buf[:size] = (fill * (size // len(fill) + 1))[:size]
        return block, bytes(block.buf)

    def test_python_shared_memory_is_not_an_mproc_object(self):
        for size in (1, 64, 4096, 1 << 20):
            for fill in (b"\0", bytes(range(256))):
                block, content = self.foreign_block(size, fill)
                for opener in self.OPENERS:
                    with self.subTest(size=size, fill=fill[:2], opener=opener):
                        with self.assertRaises(TypeError) as caught:
                            opener(block.name)
                        self.assertIsInstance(caught.exception, mproc.WrongTypeError)
                        self.assertEqual(caught.exception.name, "ETYPE")
                        self.assertIn("not an mproc object", str(caught.exception))
                self.assertEqual(bytes(block.buf), content)
