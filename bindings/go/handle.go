package mproc

/*
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// liveHandles counts C handles not yet freed; tests use it to see that
// finalizers release forgotten handles.
var liveHandles atomic.Int64

// handle owns one C handle. Calls borrow the pointer for their duration;
// close marks the handle closed at once, and whichever of close and the
// last borrower comes last frees it. So a goroutine blocked in C keeps the
// handle valid, a closed handle is never passed to C, and close (called
// by the user, by a finalizer, or both) frees exactly once.
//
// A handle is embedded by value in its Go object, so a borrow, which holds
// a pointer into the object, also keeps the object (and its finalizer)
// alive until the C call returns.
type handle struct {
	mu     sync.Mutex
	ptr    unsafe.Pointer
	users  int
	closed bool
	kind   string               // "queue", "lock", ... for error messages
	free   func(unsafe.Pointer) // the type's *_free
	onStop func(unsafe.Pointer) // optional, runs at close even while borrowed
}

func (h *handle) init(kind string, ptr unsafe.Pointer, free func(unsafe.Pointer)) {
	h.kind, h.ptr, h.free = kind, ptr, free
	liveHandles.Add(1)
}

func (h *handle) borrow() (unsafe.Pointer, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, bindingError(ECLOSED, h.kind+" handle used after Close")
	}
	h.users++
	return h.ptr, nil
}

func (h *handle) giveBack() {
	h.mu.Lock()
	h.users--
	p := h.takeIfDone()
	h.mu.Unlock()
	h.release(p)
}

// takeIfDone hands the pointer to the one caller that must free it.
// Called with mu held.
func (h *handle) takeIfDone() unsafe.Pointer {
	if !h.closed || h.users > 0 || h.ptr == nil {
		return nil
	}
	p := h.ptr
	h.ptr = nil
	return p
}

func (h *handle) release(p unsafe.Pointer) {
	if p != nil {
		h.free(p)
		liveHandles.Add(-1)
	}
}

// close is idempotent and never blocks on borrowers.
func (h *handle) close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	if h.onStop != nil && h.ptr != nil {
		// Borrow for onStop, so that a borrower returning meanwhile
		// cannot free the handle under it.
		h.users++
		p := h.ptr
		h.mu.Unlock()
		h.onStop(p)
		h.giveBack()
		return
	}
	p := h.takeIfDone()
	h.mu.Unlock()
	h.release(p)
}

// do makes one mproc call with the borrowed pointer.
func (h *handle) do(f func(p unsafe.Pointer) C.int) error {
	p, err := h.borrow()
	if err != nil {
		return err
	}
	defer h.giveBack()
	err = call(func() C.int { return f(p) })
	runtime.KeepAlive(h)
	return err
}

// with lends the pointer to f, for calls that cannot fail (names, sizes).
func (h *handle) with(f func(p unsafe.Pointer)) error {
	p, err := h.borrow()
	if err != nil {
		return err
	}
	defer h.giveBack()
	f(p)
	runtime.KeepAlive(h)
	return nil
}
