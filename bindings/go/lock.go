package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Lock is a non-recursive lock shared between processes (Python's
// multiprocessing.Lock). It is owned by an OS thread: see the package
// documentation on locks and OS threads.
type Lock struct {
	h    handle
	name string
}

// NewLock creates a lock; anonymous unless an Option names it.
func NewLock(opts ...Option) (*Lock, error) {
	var l *C.mproc_lock_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int { return C.mproc_lock_new(&l, o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapLock(l), nil
}

// OpenLock opens a named lock.
func OpenLock(name string) (*Lock, error) {
	var l *C.mproc_lock_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_lock_open(&l, n) }); err != nil {
		return nil, err
	}
	return wrapLock(l), nil
}

func wrapLock(l *C.mproc_lock_t) *Lock {
	w := &Lock{name: cName(func(n **C.char) C.int { return C.mproc_lock_name(l, n) })}
	w.h.init("lock", unsafe.Pointer(l), func(p unsafe.Pointer) { C.mproc_lock_free((*C.mproc_lock_t)(p)) })
	runtime.SetFinalizer(w, func(w *Lock) { w.h.close() })
	return w
}

func lp(p unsafe.Pointer) *C.mproc_lock_t { return (*C.mproc_lock_t)(p) }

// openByName runs an *_open call with name as a C string.
func openByName(name string, open func(*C.char) C.int) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return call(func() C.int { return open(cname) })
}

// pinned runs an acquire on a thread that stays wired to the goroutine if
// the lock was taken: the lock belongs to that OS thread until Release.
// ErrOwnerDead means taken too (from a dead owner).
func pinned(acquire func() error) error {
	runtime.LockOSThread()
	err := acquire()
	if err != nil && !hasCode(err, EOWNERDEAD) {
		runtime.UnlockOSThread()
	}
	return err
}

// unpinned runs a release and unwires the goroutine if it succeeded.
func unpinned(release func() error) error {
	err := release()
	if err == nil {
		runtime.UnlockOSThread()
	}
	return err
}

// Name is the name of a named lock, "" for an anonymous one.
func (l *Lock) Name() string { return l.name }

// Acquire takes the lock, waiting up to timeout. nil or ErrOwnerDead: the
// lock is held (after ErrOwnerDead, the data it guards may need repair,
// because its previous owner died holding it). ErrTimeout: not taken.
// ErrState: this goroutine holds it already.
func (l *Lock) Acquire(timeout time.Duration) error {
	return pinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_lock_acquire(lp(p), millis(timeout)) })
	})
}

// TryAcquire takes the lock if it is free: ErrBusy if another thread
// holds it.
func (l *Lock) TryAcquire() error {
	return pinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_lock_try_acquire(lp(p)) })
	})
}

// Release releases the lock. It must be called by the goroutine that
// acquired it; otherwise ErrState.
func (l *Lock) Release() error {
	return unpinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_lock_release(lp(p)) })
	})
}

// Locked reports whether any thread, in any process, holds the lock: a
// snapshot.
func (l *Lock) Locked() (bool, error) {
	var v C.int
	err := l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_lock_is_locked(lp(p), &v) })
	return v != 0, err
}

// Close releases this handle; the lock lives on in other processes.
func (l *Lock) Close() error {
	runtime.SetFinalizer(l, nil)
	l.h.close()
	return nil
}

// RLock is a re-entrant lock shared between processes (Python's
// multiprocessing.RLock): its owner may acquire it again, and each Acquire
// needs its Release. Owned by an OS thread, as Lock.
type RLock struct {
	h    handle
	name string
}

// NewRLock creates a re-entrant lock.
func NewRLock(opts ...Option) (*RLock, error) {
	var l *C.mproc_rlock_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int { return C.mproc_rlock_new(&l, o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapRLock(l), nil
}

// OpenRLock opens a named re-entrant lock.
func OpenRLock(name string) (*RLock, error) {
	var l *C.mproc_rlock_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_rlock_open(&l, n) }); err != nil {
		return nil, err
	}
	return wrapRLock(l), nil
}

func wrapRLock(l *C.mproc_rlock_t) *RLock {
	w := &RLock{name: cName(func(n **C.char) C.int { return C.mproc_rlock_name(l, n) })}
	w.h.init("rlock", unsafe.Pointer(l), func(p unsafe.Pointer) { C.mproc_rlock_free((*C.mproc_rlock_t)(p)) })
	runtime.SetFinalizer(w, func(w *RLock) { w.h.close() })
	return w
}

func rlp(p unsafe.Pointer) *C.mproc_rlock_t { return (*C.mproc_rlock_t)(p) }

// Name is the name of a named lock, "" for an anonymous one.
func (l *RLock) Name() string { return l.name }

// Acquire takes the lock (again, if this goroutine holds it), waiting up
// to timeout. Results as Lock.Acquire, except that re-acquiring succeeds.
func (l *RLock) Acquire(timeout time.Duration) error {
	return pinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_rlock_acquire(rlp(p), millis(timeout)) })
	})
}

// TryAcquire takes the lock if free or held by this goroutine: ErrBusy
// otherwise.
func (l *RLock) TryAcquire() error {
	return pinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_rlock_try_acquire(rlp(p)) })
	})
}

// Release undoes one Acquire. ErrState if this goroutine does not hold it.
func (l *RLock) Release() error {
	return unpinned(func() error {
		return l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_rlock_release(rlp(p)) })
	})
}

// Depth is how many times the calling goroutine holds the lock.
func (l *RLock) Depth() (int, error) {
	var d C.uint32_t
	err := l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_rlock_depth(rlp(p), &d) })
	return int(d), err
}

// Close releases this handle; the lock lives on in other processes.
func (l *RLock) Close() error {
	runtime.SetFinalizer(l, nil)
	l.h.close()
	return nil
}

// Condition is a condition variable shared between processes (Python's
// multiprocessing.Condition). Its lock is owned by an OS thread, as Lock:
// Acquire wires the goroutine to its thread until Release.
type Condition struct {
	h    handle
	name string
}

// NewCondition creates a condition over lock, or over a re-entrant lock
// of its own when lock is nil. A named condition needs a named lock (or
// nil). The condition keeps its own reference to lock: closing the Lock
// handle later does not affect it.
func NewCondition(lock *Lock, opts ...Option) (*Condition, error) {
	var c *C.mproc_cond_t
	create := func(l unsafe.Pointer) error {
		return sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
			return call(func() C.int { return C.mproc_cond_new(&c, lp(l), o) })
		})
	}
	var err error
	if lock == nil {
		err = create(nil)
	} else {
		err = borrowFor(&lock.h, create)
	}
	if err != nil {
		return nil, err
	}
	return wrapCond(c), nil
}

// NewConditionRLock creates a condition over a re-entrant lock.
func NewConditionRLock(lock *RLock, opts ...Option) (*Condition, error) {
	if lock == nil {
		return nil, bindingError(EINVAL, "NewConditionRLock: lock is nil")
	}
	var c *C.mproc_cond_t
	err := borrowFor(&lock.h, func(l unsafe.Pointer) error {
		return sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
			return call(func() C.int { return C.mproc_cond_new_rlock(&c, rlp(l), o) })
		})
	})
	if err != nil {
		return nil, err
	}
	return wrapCond(c), nil
}

// borrowFor lends h's pointer to f, which may make several C calls.
func borrowFor(h *handle, f func(unsafe.Pointer) error) error {
	p, err := h.borrow()
	if err != nil {
		return err
	}
	defer h.giveBack()
	return f(p)
}

// OpenCondition opens a named condition (and its lock).
func OpenCondition(name string) (*Condition, error) {
	var c *C.mproc_cond_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_cond_open(&c, n) }); err != nil {
		return nil, err
	}
	return wrapCond(c), nil
}

func wrapCond(c *C.mproc_cond_t) *Condition {
	w := &Condition{name: cName(func(n **C.char) C.int { return C.mproc_cond_name(c, n) })}
	w.h.init("condition", unsafe.Pointer(c), func(p unsafe.Pointer) { C.mproc_cond_free((*C.mproc_cond_t)(p)) })
	runtime.SetFinalizer(w, func(w *Condition) { w.h.close() })
	return w
}

func cp(p unsafe.Pointer) *C.mproc_cond_t { return (*C.mproc_cond_t)(p) }

// Name is the name of a named condition, "" for an anonymous one.
func (c *Condition) Name() string { return c.name }

// Acquire takes the condition's lock, as Lock.Acquire.
func (c *Condition) Acquire(timeout time.Duration) error {
	return pinned(func() error {
		return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_cond_acquire(cp(p), millis(timeout)) })
	})
}

// Release releases the condition's lock, as Lock.Release.
func (c *Condition) Release() error {
	return unpinned(func() error {
		return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_cond_release(cp(p)) })
	})
}

// Wait, with the lock held, releases it, sleeps until notified or the
// timeout, and takes it back before returning whatever the outcome. nil:
// notified. ErrTimeout: not notified in time. ErrOwnerDead: notified, and
// the lock came back from a dead owner. ErrState: the lock is not held.
// Wake-ups can be spurious in effect (another waiter may run first): wait
// in a loop over the predicate.
func (c *Condition) Wait(timeout time.Duration) error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_cond_wait(cp(p), millis(timeout)) })
}

// Notify wakes up to n waiters; the lock must be held.
func (c *Condition) Notify(n int) error {
	if n < 0 {
		return bindingError(EINVAL, "Condition.Notify: negative count")
	}
	count := C.uint32_t(math.MaxUint32)
	if uint64(n) < math.MaxUint32 {
		count = C.uint32_t(n)
	}
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_cond_notify(cp(p), count) })
}

// NotifyAll wakes every waiter; the lock must be held.
func (c *Condition) NotifyAll() error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_cond_notify_all(cp(p)) })
}

// Close releases this handle; the condition lives on in other processes.
func (c *Condition) Close() error {
	runtime.SetFinalizer(c, nil)
	c.h.close()
	return nil
}
