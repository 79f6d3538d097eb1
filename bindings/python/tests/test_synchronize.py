import contextlib
import os
import pickle
import struct
import threading
import warnings

import mproc

from .support import TestCase, spawn, wait_until

COUNTER = struct.Struct("q")


def locked_increments(lock_name, shm_name, barrier_name, rounds):
    """Adds 1 to a shared counter `rounds` times under the lock, checking
    that nobody else is inside the critical section meanwhile."""
    violations = 0
    # Not `with mproc.Lock.open(...)`: for a lock, `with` means acquire.
    lock = mproc.Lock.open(lock_name)
    with contextlib.closing(lock), mproc.SharedMemory(shm_name) as shm, \
            mproc.Barrier.open(barrier_name) as start:
        buf = shm.buf
        start.wait(timeout=30)
        for _ in range(rounds):
            with lock:
                if buf[8] != 0:
                    violations += 1
                buf[8] = 1
                (value,) = COUNTER.unpack_from(buf, 0)
                # Give the other process every chance to run in here.
                os.sched_yield()
                COUNTER.pack_into(buf, 0, value + 1)
                buf[8] = 0
        del buf
    os._exit(1 if violations else 0)


def die_holding(lock_name, event_name):
    lock = mproc.Lock.open(lock_name)
    lock.acquire()
    with mproc.Event.open(event_name) as held:
        held.set()
    os._exit(0)     # without releasing


class LockTests(TestCase):
    def test_acquire_release_and_timeout(self):
        lock = self.closing(mproc.Lock())
        self.assertTrue(lock.acquire())
        self.assertTrue(lock.locked())
        got = []
        thread = threading.Thread(
            target=lambda: got.append((lock.acquire(timeout=0.2),
                                       lock.acquire(False))))
        with self.assertTakes(0.2):
            thread.start()
            thread.join()
        self.assertEqual(got, [(False, False)])
        lock.release()
        self.assertFalse(lock.locked())
        with lock:
            self.assertTrue(lock.locked())
        self.assertFalse(lock.locked())

    def test_owned_by_a_thread(self):
        lock = self.closing(mproc.Lock())
        with lock:
            # Acquiring again from the owner would wait for ever: refused.
            self.assertRaises(RuntimeError, lock.acquire)
            # With a timeout, or none at all, it can only fail: False at
            # once, as multiprocessing's Lock says after its timeout.
            with self.assertTakes(0.0):
                self.assertFalse(lock.acquire(True, 5.0))
                self.assertFalse(lock.acquire(False))
                self.assertFalse(lock.acquire(timeout=-1))
            errors = []

            def release_from_elsewhere():
                try:
                    lock.release()
                except Exception as exc:
                    errors.append(exc)

            thread = threading.Thread(target=release_from_elsewhere)
            thread.start()
            thread.join()
            self.assertEqual(len(errors), 1)
            self.assertIsInstance(errors[0], RuntimeError)
            self.assertIsInstance(errors[0], ValueError)
        self.assertRaises(RuntimeError, lock.release)

    def test_handoff_between_threads(self):
        lock = self.closing(mproc.Lock())
        counter = [0]

        def work():
            for _ in range(2000):
                with lock:
                    counter[0] += 1

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(counter[0], 8000)

    def test_owner_thread_death_is_reported(self):
        lock = self.closing(mproc.Lock())
        thread = threading.Thread(target=lock.acquire)
        thread.start()
        thread.join()
        with self.assertWarns(mproc.OwnerDiedWarning):
            self.assertTrue(lock.acquire(timeout=10))
        self.assertTrue(lock.owner_died)
        lock.release()
        self.assertTrue(lock.acquire(timeout=1))
        self.assertFalse(lock.owner_died)
        lock.release()

    def test_owner_process_death_is_reported(self):
        lock = self.closing(mproc.Lock(name=self.unique_name()))
        self.addCleanup(lock.unlink)
        held = self.closing(mproc.Event(name=self.unique_name()))
        self.addCleanup(held.unlink)
        self.assertEqual(self.run_child(die_holding, lock.name, held.name), 0)
        self.assertTrue(held.is_set())
        self.assertTrue(lock.locked())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertTrue(lock.acquire(timeout=10))
        self.assertTrue(lock.owner_died)
        self.assertEqual([w.category for w in caught], [mproc.OwnerDiedWarning])
        lock.release()

    def test_mutual_exclusion_across_processes(self):
        lock = self.closing(mproc.Lock(name=self.unique_name()))
        self.addCleanup(lock.unlink)
        shm = self.closing(mproc.SharedMemory(name=self.unique_name(), create=True,
                                              size=64))
        self.addCleanup(shm.unlink)
        start = self.closing(mproc.Barrier(2, name=self.unique_name()))
        self.addCleanup(start.unlink)
        rounds = 3000
        children = [self.start_child(locked_increments, lock.name, shm.name,
                                     start.name, rounds) for _ in range(2)]
        codes = [self.join_child(child) for child in children]
        self.assertEqual(codes, [0, 0], "a child saw another inside the lock")
        self.assertEqual(COUNTER.unpack_from(shm.buf, 0)[0], 2 * rounds)

    def test_named_open_and_pickling(self):
        lock = self.closing(mproc.Lock(named=True))
        self.track(lock.name)
        self.addCleanup(lock.unlink)
        same = self.closing(mproc.Lock.open(lock.name))
        with lock:
            self.assertTrue(same.locked())
        copy = self.closing(pickle.loads(pickle.dumps(lock)))    # by name
        self.assertIsInstance(copy, mproc.Lock)
        self.assertEqual(copy.name, lock.name)
        with lock:
            self.assertTrue(copy.locked())

    def test_closed_lock(self):
        lock = mproc.Lock()
        lock.close()
        self.assertRaises(mproc.ClosedError, lock.acquire)
        self.assertRaises(mproc.ClosedError, lock.release)

    def test_bad_timeouts(self):
        lock = self.closing(mproc.Lock())
        self.assertRaises(ValueError, lock.acquire, True, float("nan"))
        self.assertRaises(TypeError, lock.acquire, True, "soon")
        self.assertTrue(lock.acquire(True, -1))   # free: one attempt succeeds
        lock.release()


class RLockTests(TestCase):
    def test_reentrant_depth(self):
        lock = self.closing(mproc.RLock())
        self.assertEqual(lock.depth, 0)
        with lock:
            with lock:
                self.assertEqual(lock.depth, 2)
                blocked = []
                thread = threading.Thread(
                    target=lambda: blocked.append(lock.acquire(timeout=0.1)))
                thread.start()
                thread.join()
                self.assertEqual(blocked, [False])
            self.assertEqual(lock.depth, 1)
        self.assertEqual(lock.depth, 0)
        self.assertRaises(RuntimeError, lock.release)


class SemaphoreTests(TestCase):
    def test_counting(self):
        sem = self.closing(mproc.Semaphore(2))
        self.assertTrue(sem.acquire())
        self.assertTrue(sem.acquire(timeout=0))
        self.assertEqual(sem.get_value(), 0)
        with self.assertTakes(0.15):
            self.assertFalse(sem.acquire(timeout=0.15))
        sem.release(2)
        self.assertEqual(sem.get_value(), 2)
        sem.release()       # an unbounded semaphore may grow
        self.assertEqual(sem.get_value(), 3)
        with sem:
            self.assertEqual(sem.get_value(), 2)

    def test_release_from_another_thread_wakes_acquire(self):
        sem = self.closing(mproc.Semaphore(0))
        thread = threading.Thread(target=sem.release)
        thread.start()
        self.assertTrue(sem.acquire(timeout=10))
        thread.join()

    def test_bounded(self):
        sem = self.closing(mproc.BoundedSemaphore(1))
        with self.assertRaises(ValueError) as caught:
            sem.release()
        self.assertEqual(caught.exception.name, "ESTATE")
        sem.acquire()
        sem.release()

    def test_bad_values(self):
        self.assertRaises(ValueError, mproc.Semaphore, -1)
        self.assertRaises(ValueError, mproc.Semaphore, 2 ** 32)
        self.assertRaises(TypeError, mproc.Semaphore, 1.5)
        sem = self.closing(mproc.Semaphore(1))
        self.assertRaises(ValueError, sem.release, 0)

    def test_named(self):
        sem = self.closing(mproc.BoundedSemaphore(3, name=self.unique_name()))
        self.addCleanup(sem.unlink)
        other = self.closing(mproc.Semaphore.open(sem.name))
        other.acquire()
        self.assertEqual(sem.get_value(), 2)


class EventTests(TestCase):
    def test_set_wait_clear(self):
        event = self.closing(mproc.Event())
        self.assertFalse(event.is_set())
        with self.assertTakes(0.2):
            self.assertFalse(event.wait(0.2))
        thread = threading.Thread(target=event.set)
        thread.start()
        self.assertTrue(event.wait(10))
        thread.join()
        self.assertTrue(event.wait(0))
        event.clear()
        self.assertFalse(event.is_set())

    def test_named_and_with_closes(self):
        with mproc.Event(name=self.unique_name()) as event:
            with mproc.Event.open(event.name) as other:
                other.set()
            self.assertTrue(event.is_set())
            event.unlink()
        self.assertTrue(event.closed)
        self.assertRaises(mproc.ClosedError, event.set)


class ConditionTests(TestCase):
    def test_wait_notify(self):
        cond = self.closing(mproc.Condition())
        box = []

        def producer():
            with cond:
                box.append("item")
                cond.notify()

        with cond:
            thread = threading.Thread(target=producer)
            thread.start()
            self.assertTrue(cond.wait_for(lambda: box, timeout=10))
        thread.join()
        self.assertEqual(box, ["item"])

    def test_wait_timeout_and_wait_for_timeout(self):
        cond = self.closing(mproc.Condition(self.closing(mproc.Lock())))
        with cond:
            with self.assertTakes(0.2):
                self.assertFalse(cond.wait(0.2))
            with self.assertTakes(0.2):
                self.assertFalse(cond.wait_for(lambda: False, timeout=0.2))
            self.assertTrue(cond.wait_for(lambda: 7, timeout=0))

    def test_notify_all_wakes_everyone(self):
        lock = self.closing(mproc.RLock())
        cond = self.closing(mproc.Condition(lock))
        woken = []
        state = {"go": False, "waiting": 0}

        def waiter():
            with cond:
                state["waiting"] += 1
                cond.wait_for(lambda: state["go"], timeout=30)
                woken.append(1)

        threads = [threading.Thread(target=waiter) for _ in range(3)]
        for t in threads:
            t.start()
        self.assertTrue(wait_until(lambda: state["waiting"] == 3))
        with lock:          # the condition's lock, taken directly
            state["go"] = True
            cond.notify_all()
        for t in threads:
            t.join(10)
        self.assertEqual(len(woken), 3)

    def test_needs_the_lock(self):
        cond = self.closing(mproc.Condition())
        self.assertRaises(RuntimeError, cond.wait, 0.1)
        self.assertRaises(RuntimeError, cond.notify)
        self.assertRaises(RuntimeError, cond.release)
        self.assertRaises(TypeError, mproc.Condition, threading.Lock())

    def test_named_condition(self):
        lock = self.closing(mproc.Lock(name=self.unique_name()))
        self.addCleanup(lock.unlink)
        cond = self.closing(mproc.Condition(lock, name=self.unique_name()))
        self.addCleanup(cond.unlink)
        other = self.closing(mproc.Condition.open(cond.name))
        with other:
            self.assertTrue(lock.locked())
        anonymous = self.closing(mproc.Lock())
        self.assertRaises(ValueError, mproc.Condition, anonymous, named=True)


class BarrierTests(TestCase):
    def test_indexes_are_distinct(self):
        barrier = self.closing(mproc.Barrier(3))
        self.assertEqual(barrier.parties, 3)
        indexes = []
        threads = [threading.Thread(target=lambda: indexes.append(barrier.wait(30)))
                   for _ in range(2)]
        for t in threads:
            t.start()
        indexes.append(barrier.wait(30))
        for t in threads:
            t.join()
        self.assertEqual(sorted(indexes), [0, 1, 2])
        self.assertFalse(barrier.broken)

    def test_timeout_breaks_the_barrier(self):
        barrier = self.closing(mproc.Barrier(2, timeout=0.2))
        with self.assertTakes(0.2):
            with self.assertRaises(mproc.BrokenBarrierError) as caught:
                barrier.wait()
        self.assertEqual(caught.exception.name, "ETIMEDOUT")
        self.assertTrue(barrier.broken)
        self.assertRaises(threading.BrokenBarrierError, barrier.wait, 1)
        barrier.reset()
        self.assertFalse(barrier.broken)

    def test_abort_wakes_a_waiter(self):
        barrier = self.closing(mproc.Barrier(2))
        errors = []

        def waiter():
            try:
                barrier.wait(30)
            except threading.BrokenBarrierError as exc:
                errors.append(exc)

        thread = threading.Thread(target=waiter)
        thread.start()
        self.assertTrue(wait_until(lambda: barrier.n_waiting == 1))
        barrier.abort()
        thread.join(10)
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0].name, "EBROKEN")
        self.assertRaises(mproc.BrokenBarrierError, barrier.wait, 0)

    def test_action_runs_once_before_any_party_is_released(self):
        barrier = self.closing(mproc.Barrier(3, action=_AppendTo(ran := [])))
        seen = []

        def party():
            barrier.wait(30)
            seen.append(len(ran))

        threads = [threading.Thread(target=party) for _ in range(2)]
        for t in threads:
            t.start()
        party()
        for t in threads:
            t.join()
        # Every party saw the action done when it was released, and it ran
        # once, in the last party to arrive.
        self.assertEqual(seen, [1, 1, 1])
        self.assertEqual(len(ran), 1)
        self.assertFalse(barrier.broken)

    def test_action_in_another_process(self):
        # The action travels with the barrier (pickled by name here) and
        # runs in whichever process arrives last.
        name = self.unique_name()
        barrier = self.closing(mproc.Barrier(2, action=_SetEvent(name + "-e"), name=name))
        self.addCleanup(barrier.unlink)
        done = self.closing(mproc.Event(name=name + "-e"))
        self.addCleanup(done.unlink)
        child = spawn().Process(target=_wait_and_check, args=(barrier, done))
        child.start()
        barrier.wait(60)
        self.assertTrue(done.is_set())
        child.join(60)
        self.assertEqual(child.exitcode, 0)

    def test_action_that_raises_breaks_the_barrier(self):
        barrier = self.closing(mproc.Barrier(2, action=_raise_lookup))
        errors = []

        def party():
            try:
                barrier.wait(30)
            except BaseException as exc:       # noqa: B902 (kept for the check)
                errors.append(type(exc))

        thread = threading.Thread(target=party)
        thread.start()
        party()
        thread.join()
        # The party that ran the action gets its exception, the other one
        # BrokenBarrierError; the barrier stays broken until reset().
        self.assertEqual(sorted(e.__name__ for e in errors),
                         ["LookupError", "MprocBrokenBarrierError"])
        self.assertTrue(barrier.broken)
        barrier.reset()
        self.assertFalse(barrier.broken)

    def test_default_timeout_is_used(self):
        barrier = self.closing(mproc.Barrier(2, None, 0.1))
        with self.assertTakes(0.1):
            self.assertRaises(threading.BrokenBarrierError, barrier.wait)
        self.assertTrue(barrier.broken)

    def test_bad_parties(self):
        self.assertRaises(ValueError, mproc.Barrier, 0)
        self.assertRaises(TypeError, mproc.Barrier, "2")
        self.assertRaises(ValueError, mproc.Barrier, 2, timeout=float("nan"))
        self.assertRaises(TypeError, mproc.Barrier, 2, "not callable")


class _AppendTo:
    def __init__(self, into):
        self.into = into

    def __call__(self):
        self.into.append(True)


class _SetEvent:
    """A picklable action: sets the named event `name`."""

    def __init__(self, name):
        self.name = name

    def __call__(self):
        with mproc.Event.open(self.name) as event:
            event.set()


def _raise_lookup():
    raise LookupError("from the action")


def _wait_and_check(barrier, done):
    with barrier, done:
        barrier.wait(60)
        if not done.is_set():
            raise SystemExit(1)
