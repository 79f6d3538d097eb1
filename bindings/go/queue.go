package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Queue is a multi-producer, multi-consumer queue of byte messages in
// shared memory (Python's multiprocessing.JoinableQueue). Messages are
// copied in by Put and out by Get; encode values yourself (encoding/gob,
// JSON, ...).
//
// Two different "close"s exist: Shutdown closes the queue itself, for
// every process (mproc_queue_close); Close releases this handle only, and
// the queue goes on for everyone else.
type Queue struct {
	h    handle
	name string
}

type queueConfig struct {
	shared   sharedConfig
	maxSize  int
	capacity int
}

// QueueOption configures NewQueue: MaxSize, Capacity, or any Option
// (Name, Named).
type QueueOption interface{ applyQueue(*queueConfig) }

type queueOption func(*queueConfig)

func (o queueOption) applyQueue(c *queueConfig) { o(c) }

// MaxSize bounds the queue in items; 0 (the default) means no item limit.
func MaxSize(items int) QueueOption {
	return queueOption(func(c *queueConfig) { c.maxSize = items })
}

// Capacity sets the queue's ring size in bytes, rounded up to a power of
// two (at least 4096). A message may be at most half of it. The default,
// 1 GiB, is address space: only pages that messages touch cost memory.
func Capacity(bytes int) QueueOption {
	return queueOption(func(c *queueConfig) { c.capacity = bytes })
}

// NewQueue creates a queue.
func NewQueue(opts ...QueueOption) (*Queue, error) {
	var c queueConfig
	for _, opt := range opts {
		opt.applyQueue(&c)
	}
	if c.maxSize < 0 || c.capacity < 0 {
		return nil, bindingError(EINVAL, "NewQueue: MaxSize and Capacity must not be negative")
	}
	var o *C.mproc_queue_opts_t
	if err := call(func() C.int { return C.mproc_queue_opts_new(&o) }); err != nil {
		return nil, err
	}
	defer C.mproc_queue_opts_free(o)
	if err := call(func() C.int { return C.mproc_queue_opts_set_maxsize(o, C.size_t(c.maxSize)) }); err != nil {
		return nil, err
	}
	if c.capacity > 0 {
		if err := call(func() C.int { return C.mproc_queue_opts_set_capacity(o, C.size_t(c.capacity)) }); err != nil {
			return nil, err
		}
	}
	if c.shared.named {
		var err error
		if c.shared.name == "" {
			err = call(func() C.int { return C.mproc_queue_opts_set_named(o, 1) })
		} else {
			cname := C.CString(c.shared.name)
			defer C.free(unsafe.Pointer(cname))
			err = call(func() C.int { return C.mproc_queue_opts_set_name(o, cname) })
		}
		if err != nil {
			return nil, err
		}
	}
	var q *C.mproc_queue_t
	if err := call(func() C.int { return C.mproc_queue_new(&q, o) }); err != nil {
		return nil, err
	}
	return wrapQueue(q), nil
}

// OpenQueue opens a named queue, typically one another process created.
func OpenQueue(name string) (*Queue, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var q *C.mproc_queue_t
	if err := call(func() C.int { return C.mproc_queue_open(&q, cname) }); err != nil {
		return nil, err
	}
	return wrapQueue(q), nil
}

func wrapQueue(q *C.mproc_queue_t) *Queue {
	w := &Queue{name: cName(func(n **C.char) C.int { return C.mproc_queue_name(q, n) })}
	w.h.init("queue", unsafe.Pointer(q), func(p unsafe.Pointer) { C.mproc_queue_free((*C.mproc_queue_t)(p)) })
	runtime.SetFinalizer(w, func(w *Queue) { w.h.close() })
	return w
}

func qp(p unsafe.Pointer) *C.mproc_queue_t { return (*C.mproc_queue_t)(p) }

// Name is the name of a named queue, "" for an anonymous one.
func (q *Queue) Name() string { return q.name }

// Put queues a copy of data, waiting up to timeout for room. Errors:
// ErrFull (no room in time), ErrClosed (shut down), ErrTooBig (over
// MaxMessage).
func (q *Queue) Put(data []byte, timeout time.Duration) error {
	return q.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_queue_put(qp(p), bytesPtr(data), C.size_t(len(data)), millis(timeout))
	})
}

// Get takes the oldest message, waiting up to timeout for one. Errors:
// ErrEmpty (nothing in time), ErrClosed (shut down and drained).
func (q *Queue) Get(timeout time.Duration) ([]byte, error) {
	var m *C.mproc_msg_t
	err := q.h.do(func(p unsafe.Pointer) C.int { return C.mproc_queue_get(qp(p), &m, millis(timeout)) })
	if err != nil {
		return nil, err
	}
	return takeMsg(m), nil
}

// GetInto takes the oldest message into buf and returns its size, saving
// an allocation per message. If buf is too small the error is ErrTooBig,
// n is the size needed, and the message stays queued.
func (q *Queue) GetInto(buf []byte, timeout time.Duration) (n int, err error) {
	var size C.size_t
	err = q.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_queue_get_into(qp(p), bytesPtr(buf), C.size_t(len(buf)), &size, millis(timeout))
	})
	if err != nil && !hasCode(err, ETOOBIG) {
		return 0, err
	}
	return int(size), err
}

// sizeQuery reads one size_t property of the queue.
func (q *Queue) sizeQuery(f func(*C.mproc_queue_t, *C.size_t) C.int) (int, error) {
	var n C.size_t
	err := q.h.do(func(p unsafe.Pointer) C.int { return f(qp(p), &n) })
	return int(n), err
}

// flagQuery reads one boolean property of the queue.
func (q *Queue) flagQuery(f func(*C.mproc_queue_t, *C.int) C.int) (bool, error) {
	var v C.int
	err := q.h.do(func(p unsafe.Pointer) C.int { return f(qp(p), &v) })
	return v != 0, err
}

// QSize is the number of queued messages; approximate while others put or
// get, as in Python.
func (q *Queue) QSize() (int, error) {
	return q.sizeQuery(func(p *C.mproc_queue_t, n *C.size_t) C.int { return C.mproc_queue_qsize(p, n) })
}

// Empty reports whether nothing is queued (approximate).
func (q *Queue) Empty() (bool, error) {
	return q.flagQuery(func(p *C.mproc_queue_t, v *C.int) C.int { return C.mproc_queue_empty(p, v) })
}

// Full reports whether MaxSize messages are queued (approximate).
func (q *Queue) Full() (bool, error) {
	return q.flagQuery(func(p *C.mproc_queue_t, v *C.int) C.int { return C.mproc_queue_full(p, v) })
}

// MaxSize is the item limit, 0 for none.
func (q *Queue) MaxSize() (int, error) {
	return q.sizeQuery(func(p *C.mproc_queue_t, n *C.size_t) C.int { return C.mproc_queue_maxsize(p, n) })
}

// Capacity is the ring's size in bytes.
func (q *Queue) Capacity() (int, error) {
	return q.sizeQuery(func(p *C.mproc_queue_t, n *C.size_t) C.int { return C.mproc_queue_capacity(p, n) })
}

// MaxMessage is the largest message Put accepts.
func (q *Queue) MaxMessage() (int, error) {
	return q.sizeQuery(func(p *C.mproc_queue_t, n *C.size_t) C.int { return C.mproc_queue_max_message(p, n) })
}

// Shutdown closes the queue for every process: puts fail with ErrClosed,
// gets return what is queued and then ErrClosed, and every blocked Put,
// Get and Join anywhere wakes up. Shutting down twice is harmless. The
// handle stays open: call Close as well.
func (q *Queue) Shutdown() error {
	return q.h.do(func(p unsafe.Pointer) C.int { return C.mproc_queue_close(qp(p)) })
}

// IsShutdown reports whether some process shut the queue down.
func (q *Queue) IsShutdown() (bool, error) {
	return q.flagQuery(func(p *C.mproc_queue_t, v *C.int) C.int { return C.mproc_queue_is_closed(p, v) })
}

// TaskDone marks one taken message as processed, as JoinableQueue's
// task_done. ErrState when called more often than messages were taken.
func (q *Queue) TaskDone() error {
	return q.h.do(func(p unsafe.Pointer) C.int { return C.mproc_queue_task_done(qp(p)) })
}

// Join waits until every message ever put has been marked done: nil, or
// ErrTimeout.
func (q *Queue) Join(timeout time.Duration) error {
	return q.h.do(func(p unsafe.Pointer) C.int { return C.mproc_queue_join(qp(p), millis(timeout)) })
}

// Close releases this handle; the queue itself goes on (see Shutdown).
// Idempotent; a call blocked in another goroutine keeps the C handle until
// it returns.
func (q *Queue) Close() error {
	runtime.SetFinalizer(q, nil)
	q.h.close()
	return nil
}
