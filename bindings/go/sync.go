package mproc

/*
#include <mproc/mproc.h>
*/
import "C"

import (
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Semaphore is a counting semaphore shared between processes (Python's
// multiprocessing.Semaphore and BoundedSemaphore). Unlike locks, units are
// not owned: any goroutine may release.
type Semaphore struct {
	h    handle
	name string
}

// NewSemaphore creates a semaphore holding value units.
func NewSemaphore(value int, opts ...Option) (*Semaphore, error) {
	return newSemaphore(value, false, opts)
}

// NewBoundedSemaphore creates a semaphore whose Release fails with
// ErrState rather than raise it above value.
func NewBoundedSemaphore(value int, opts ...Option) (*Semaphore, error) {
	return newSemaphore(value, true, opts)
}

func newSemaphore(value int, bounded bool, opts []Option) (*Semaphore, error) {
	if value < 0 || uint64(value) > math.MaxUint32 {
		return nil, bindingError(EINVAL, "NewSemaphore: value out of range 0..2^32-1")
	}
	var s *C.mproc_sem_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int {
			if bounded {
				return C.mproc_sem_new_bounded(&s, C.uint32_t(value), o)
			}
			return C.mproc_sem_new(&s, C.uint32_t(value), o)
		})
	})
	if err != nil {
		return nil, err
	}
	return wrapSem(s), nil
}

// OpenSemaphore opens a named semaphore.
func OpenSemaphore(name string) (*Semaphore, error) {
	var s *C.mproc_sem_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_sem_open(&s, n) }); err != nil {
		return nil, err
	}
	return wrapSem(s), nil
}

func wrapSem(s *C.mproc_sem_t) *Semaphore {
	w := &Semaphore{name: cName(func(n **C.char) C.int { return C.mproc_sem_name(s, n) })}
	w.h.init("semaphore", unsafe.Pointer(s), func(p unsafe.Pointer) { C.mproc_sem_free((*C.mproc_sem_t)(p)) })
	runtime.SetFinalizer(w, func(w *Semaphore) { w.h.close() })
	return w
}

func sp(p unsafe.Pointer) *C.mproc_sem_t { return (*C.mproc_sem_t)(p) }

// Name is the name of a named semaphore, "" for an anonymous one.
func (s *Semaphore) Name() string { return s.name }

// Acquire takes one unit, waiting up to timeout: nil, or ErrTimeout.
func (s *Semaphore) Acquire(timeout time.Duration) error {
	return s.h.do(func(p unsafe.Pointer) C.int { return C.mproc_sem_acquire(sp(p), millis(timeout)) })
}

// TryAcquire takes one unit if one is free: ErrBusy otherwise.
func (s *Semaphore) TryAcquire() error {
	return s.h.do(func(p unsafe.Pointer) C.int { return C.mproc_sem_try_acquire(sp(p)) })
}

// Release gives one unit back. ErrState: a bounded semaphore is at its
// bound already.
func (s *Semaphore) Release() error {
	return s.h.do(func(p unsafe.Pointer) C.int { return C.mproc_sem_release(sp(p)) })
}

// Value is the number of free units: a snapshot.
func (s *Semaphore) Value() (int, error) {
	var v C.uint32_t
	err := s.h.do(func(p unsafe.Pointer) C.int { return C.mproc_sem_value(sp(p), &v) })
	return int(v), err
}

// Close releases this handle; the semaphore lives on in other processes.
func (s *Semaphore) Close() error {
	runtime.SetFinalizer(s, nil)
	s.h.close()
	return nil
}

// Event is a flag shared between processes that waiters block on (Python's
// multiprocessing.Event).
type Event struct {
	h    handle
	name string
}

// NewEvent creates an event, initially clear.
func NewEvent(opts ...Option) (*Event, error) {
	var e *C.mproc_event_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int { return C.mproc_event_new(&e, o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapEvent(e), nil
}

// OpenEvent opens a named event.
func OpenEvent(name string) (*Event, error) {
	var e *C.mproc_event_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_event_open(&e, n) }); err != nil {
		return nil, err
	}
	return wrapEvent(e), nil
}

func wrapEvent(e *C.mproc_event_t) *Event {
	w := &Event{name: cName(func(n **C.char) C.int { return C.mproc_event_name(e, n) })}
	w.h.init("event", unsafe.Pointer(e), func(p unsafe.Pointer) { C.mproc_event_free((*C.mproc_event_t)(p)) })
	runtime.SetFinalizer(w, func(w *Event) { w.h.close() })
	return w
}

func ep(p unsafe.Pointer) *C.mproc_event_t { return (*C.mproc_event_t)(p) }

// Name is the name of a named event, "" for an anonymous one.
func (e *Event) Name() string { return e.name }

// Set sets the flag and wakes every waiter in every process.
func (e *Event) Set() error {
	return e.h.do(func(p unsafe.Pointer) C.int { return C.mproc_event_set(ep(p)) })
}

// Clear clears the flag.
func (e *Event) Clear() error {
	return e.h.do(func(p unsafe.Pointer) C.int { return C.mproc_event_clear(ep(p)) })
}

// IsSet reports whether the flag is set.
func (e *Event) IsSet() (bool, error) {
	var v C.int
	err := e.h.do(func(p unsafe.Pointer) C.int { return C.mproc_event_is_set(ep(p), &v) })
	return v != 0, err
}

// Wait returns nil once the flag is set (at once if it is), ErrTimeout if
// it is not set within timeout.
func (e *Event) Wait(timeout time.Duration) error {
	return e.h.do(func(p unsafe.Pointer) C.int { return C.mproc_event_wait(ep(p), millis(timeout)) })
}

// Close releases this handle; the event lives on in other processes.
func (e *Event) Close() error {
	runtime.SetFinalizer(e, nil)
	e.h.close()
	return nil
}

// Barrier lets a fixed number of parties wait for each other (Python's
// multiprocessing.Barrier).
type Barrier struct {
	h    handle
	name string
}

// NewBarrier creates a barrier for parties (at least 1) waiters.
func NewBarrier(parties int, opts ...Option) (*Barrier, error) {
	if parties < 1 || uint64(parties) > math.MaxUint32 {
		return nil, bindingError(EINVAL, "NewBarrier: parties out of range 1..2^32-1")
	}
	var b *C.mproc_barrier_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int { return C.mproc_barrier_new(&b, C.uint32_t(parties), o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapBarrier(b), nil
}

// OpenBarrier opens a named barrier.
func OpenBarrier(name string) (*Barrier, error) {
	var b *C.mproc_barrier_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_barrier_open(&b, n) }); err != nil {
		return nil, err
	}
	return wrapBarrier(b), nil
}

func wrapBarrier(b *C.mproc_barrier_t) *Barrier {
	w := &Barrier{name: cName(func(n **C.char) C.int { return C.mproc_barrier_name(b, n) })}
	w.h.init("barrier", unsafe.Pointer(b), func(p unsafe.Pointer) { C.mproc_barrier_free((*C.mproc_barrier_t)(p)) })
	runtime.SetFinalizer(w, func(w *Barrier) { w.h.close() })
	return w
}

func bp(p unsafe.Pointer) *C.mproc_barrier_t { return (*C.mproc_barrier_t)(p) }

// Name is the name of a named barrier, "" for an anonymous one.
func (b *Barrier) Name() string { return b.name }

// Wait waits for all parties and returns this waiter's arrival index,
// distinct for each waiter of a round (0 .. parties-1). ErrBroken: the
// barrier is broken (Abort, Reset while waiting, or another waiter's
// timeout). ErrTimeout: this waiter's timeout ran out, which breaks the
// barrier for everyone, as in Python.
func (b *Barrier) Wait(timeout time.Duration) (int, error) {
	var idx C.uint32_t
	err := b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_wait(bp(p), millis(timeout), &idx) })
	return int(idx), err
}

// Abort breaks the barrier: current and future waiters get ErrBroken.
func (b *Barrier) Abort() error {
	return b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_abort(bp(p)) })
}

// Reset returns the barrier to its initial state; current waiters get
// ErrBroken.
func (b *Barrier) Reset() error {
	return b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_reset(bp(p)) })
}

// Parties is the number of waiters a round needs.
func (b *Barrier) Parties() (int, error) {
	var n C.uint32_t
	err := b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_parties(bp(p), &n) })
	return int(n), err
}

// NWaiting is the number of waiters blocked now.
func (b *Barrier) NWaiting() (int, error) {
	var n C.uint32_t
	err := b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_n_waiting(bp(p), &n) })
	return int(n), err
}

// Broken reports whether the barrier is broken.
func (b *Barrier) Broken() (bool, error) {
	var v C.int
	err := b.h.do(func(p unsafe.Pointer) C.int { return C.mproc_barrier_broken(bp(p), &v) })
	return v != 0, err
}

// Close releases this handle; the barrier lives on in other processes.
func (b *Barrier) Close() error {
	runtime.SetFinalizer(b, nil)
	b.h.close()
	return nil
}
