package mproc

import (
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// run starts f in n goroutines and returns the first error any returned.
func run(n int, f func(i int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := f(i); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func TestLockExclusion(t *testing.T) {
	l := must(NewLock())(t)
	defer l.Close()
	const workers, rounds = 8, 2000
	var inside int32
	counter := 0 // guarded by l only
	err := run(workers, func(int) error {
		for i := 0; i < rounds; i++ {
			if err := l.Acquire(Forever); err != nil {
				return err
			}
			if atomic.AddInt32(&inside, 1) != 1 {
				return errors.New("two goroutines inside the lock at once")
			}
			counter++
			atomic.AddInt32(&inside, -1)
			if err := l.Release(); err != nil {
				return err
			}
		}
		return nil
	})
	ok(t, err)
	if counter != workers*rounds {
		t.Fatalf("counter = %d, want %d", counter, workers*rounds)
	}
}

func TestLockOwnership(t *testing.T) {
	l := must(NewLock())(t)
	defer l.Close()
	ok(t, l.Acquire(Forever))
	if locked := must(l.Locked())(t); !locked {
		t.Fatal("Locked = false while held")
	}
	// Another goroutine is on another OS thread (this one is wired to its
	// thread), so it sees the lock busy and may not release it.
	err := run(1, func(int) error {
		if err := l.TryAcquire(); !errors.Is(err, ErrBusy) {
			return errors.New("TryAcquire of a held lock: " + errString(err))
		}
		if err := l.Acquire(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
			return errors.New("Acquire of a held lock: " + errString(err))
		}
		if err := l.Release(); !errors.Is(err, ErrState) {
			return errors.New("Release by a non-owner: " + errString(err))
		}
		return nil
	})
	ok(t, err)
	if err := l.Acquire(0); !errors.Is(err, ErrState) {
		t.Fatalf("re-acquiring a held Lock: %v, want ErrState", err)
	}
	ok(t, l.Release())
	if err := l.Release(); !errors.Is(err, ErrState) {
		t.Fatalf("releasing a free lock: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestRLock(t *testing.T) {
	l := must(NewRLock())(t)
	defer l.Close()
	ok(t, l.Acquire(Forever))
	ok(t, l.Acquire(0))
	ok(t, l.TryAcquire())
	if d := must(l.Depth())(t); d != 3 {
		t.Fatalf("Depth = %d, want 3", d)
	}
	err := run(1, func(int) error {
		if err := l.TryAcquire(); !errors.Is(err, ErrBusy) {
			return errors.New("TryAcquire by another goroutine: " + errString(err))
		}
		return nil
	})
	ok(t, err)
	for i := 0; i < 3; i++ {
		ok(t, l.Release())
	}
	if err := l.Release(); !errors.Is(err, ErrState) {
		t.Fatalf("one Release too many: %v", err)
	}
}

func TestSemaphore(t *testing.T) {
	s := must(NewSemaphore(2))(t)
	defer s.Close()
	ok(t, s.Acquire(0))
	ok(t, s.TryAcquire())
	if err := s.TryAcquire(); !errors.Is(err, ErrBusy) {
		t.Fatalf("TryAcquire at 0: %v", err)
	}
	if err := s.Acquire(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Acquire at 0: %v", err)
	}
	// A blocked acquirer wakes when another goroutine releases.
	acquired := make(chan error, 1)
	go func() { acquired <- s.Acquire(Forever) }()
	ok(t, s.Release())
	ok(t, <-acquired)
	if v := must(s.Value())(t); v != 0 {
		t.Fatalf("Value = %d, want 0", v)
	}
	// Units are not owned: an unbounded semaphore goes above its start.
	for i := 0; i < 3; i++ {
		ok(t, s.Release())
	}
	if v := must(s.Value())(t); v != 3 {
		t.Fatalf("Value = %d, want 3", v)
	}
}

func TestBoundedSemaphore(t *testing.T) {
	s := must(NewBoundedSemaphore(1))(t)
	defer s.Close()
	if err := s.Release(); !errors.Is(err, ErrState) {
		t.Fatalf("Release above the bound: %v, want ErrState", err)
	}
	ok(t, s.Acquire(0))
	ok(t, s.Release())
	if _, err := NewSemaphore(-1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative value: %v", err)
	}
}

func TestEvent(t *testing.T) {
	e := must(NewEvent())(t)
	defer e.Close()
	if err := e.Wait(50 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait on a clear event: %v", err)
	}
	const waiters = 4
	var waiting sync.WaitGroup
	waiting.Add(waiters)
	done := make(chan error, waiters)
	for i := 0; i < waiters; i++ {
		go func() {
			waiting.Done()
			done <- e.Wait(Forever)
		}()
	}
	waiting.Wait()
	ok(t, e.Set())
	for i := 0; i < waiters; i++ {
		ok(t, <-done)
	}
	if set := must(e.IsSet())(t); !set {
		t.Fatal("IsSet = false after Set")
	}
	ok(t, e.Wait(0))
	ok(t, e.Clear())
	if set := must(e.IsSet())(t); set {
		t.Fatal("IsSet = true after Clear")
	}
}

func TestCondition(t *testing.T) {
	for _, kind := range []string{"own lock", "Lock"} {
		t.Run(kind, func(t *testing.T) {
			var lock *Lock
			if kind == "Lock" {
				lock = must(NewLock())(t)
				defer lock.Close()
			}
			c := must(NewCondition(lock))(t)
			defer c.Close()
			if err := c.Wait(0); !errors.Is(err, ErrState) {
				t.Fatalf("Wait without the lock: %v", err)
			}
			// A hand-off of items, guarded by the condition's lock.
			const items = 200
			var queue []int // guarded by c
			consumed := make(chan error, 1)
			go func() {
				consumed <- func() error {
					for got := 0; got < items; {
						if err := c.Acquire(Forever); err != nil {
							return err
						}
						for len(queue) == 0 {
							if err := c.Wait(Forever); err != nil {
								c.Release()
								return err
							}
						}
						if queue[0] != got {
							c.Release()
							return errors.New("items out of order")
						}
						queue = queue[1:]
						got++
						if err := c.Release(); err != nil {
							return err
						}
					}
					return nil
				}()
			}()
			for i := 0; i < items; i++ {
				ok(t, c.Acquire(Forever))
				queue = append(queue, i)
				ok(t, c.Notify(1))
				ok(t, c.Release())
			}
			ok(t, <-consumed)

			ok(t, c.Acquire(Forever))
			start := time.Now()
			err := c.Wait(50 * time.Millisecond)
			if !errors.Is(err, ErrTimeout) || time.Since(start) < 50*time.Millisecond {
				t.Fatalf("Wait with no notifier: %v after %v", err, time.Since(start))
			}
			ok(t, c.NotifyAll())
			ok(t, c.Release())
		})
	}
}

func TestConditionRLock(t *testing.T) {
	l := must(NewRLock())(t)
	defer l.Close()
	c := must(NewConditionRLock(l))(t)
	defer c.Close()
	ok(t, l.Acquire(Forever))
	ok(t, l.Acquire(Forever))
	// Wait releases every level and takes them all back.
	if err := c.Wait(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait: %v", err)
	}
	if d := must(l.Depth())(t); d != 2 {
		t.Fatalf("Depth after Wait = %d, want 2", d)
	}
	ok(t, l.Release())
	ok(t, l.Release())
}

func TestBarrier(t *testing.T) {
	const parties = 4
	b := must(NewBarrier(parties))(t)
	defer b.Close()
	if n := must(b.Parties())(t); n != parties {
		t.Fatalf("Parties = %d", n)
	}
	for round := 0; round < 3; round++ {
		var mu sync.Mutex
		var indices []int
		err := run(parties, func(int) error {
			idx, err := b.Wait(30 * time.Second)
			mu.Lock()
			indices = append(indices, idx)
			mu.Unlock()
			return err
		})
		ok(t, err)
		sort.Ints(indices)
		for i, idx := range indices {
			if idx != i {
				t.Fatalf("round %d: indices %v, want 0..%d once each", round, indices, parties-1)
			}
		}
	}
	// A waiter that times out breaks the barrier for everyone.
	if _, err := b.Wait(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("lone Wait: %v", err)
	}
	if broken := must(b.Broken())(t); !broken {
		t.Fatal("barrier not broken after a timeout")
	}
	if _, err := b.Wait(0); !errors.Is(err, ErrBroken) {
		t.Fatalf("Wait on a broken barrier: %v", err)
	}
	ok(t, b.Reset())
	if broken := must(b.Broken())(t); broken {
		t.Fatal("barrier broken after Reset")
	}
	// Abort wakes a blocked waiter with ErrBroken.
	b2 := must(NewBarrier(2))(t)
	defer b2.Close()
	woke := make(chan error, 1)
	go func() {
		_, err := b2.Wait(Forever)
		woke <- err
	}()
	ok(t, b2.Abort())
	if err := <-woke; !errors.Is(err, ErrBroken) {
		t.Fatalf("Wait across Abort: %v", err)
	}
}

func TestNamedSyncObjects(t *testing.T) {
	name := testName(t, "lock")
	l := must(NewLock(Name(name)))(t)
	defer l.Close()
	defer Unlink(name)
	l2 := must(OpenLock(name))(t)
	defer l2.Close()
	ok(t, l.Acquire(0))
	if locked := must(l2.Locked())(t); !locked {
		t.Fatal("the lock opened by name does not see it held")
	}
	ok(t, l.Release())
	if _, err := OpenEvent(name); !errors.Is(err, ErrType) {
		t.Fatalf("opening a lock as an event: %v, want ErrType", err)
	}
	ok(t, Unlink(name))
}
