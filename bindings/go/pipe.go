package mproc

/*
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Conn is one end of a message channel between processes (Python's
// multiprocessing.Connection). Messages arrive whole and in order.
type Conn struct {
	h handle
}

// Pipe creates a connected pair. With duplex both ends send and receive;
// otherwise r only receives and w only sends (Python's Pipe(duplex=False)
// order). As with Python's Pipe, close the ends you do not use so that
// the peer sees end of file.
func Pipe(duplex bool) (r, w *Conn, err error) {
	var a, b *C.mproc_conn_t
	d := C.int(0)
	if duplex {
		d = 1
	}
	if err := call(func() C.int { return C.mproc_conn_pipe(&a, &b, d) }); err != nil {
		return nil, nil, err
	}
	return wrapConn(a), wrapConn(b), nil
}

func wrapConn(c *C.mproc_conn_t) *Conn {
	w := &Conn{}
	w.h.init("connection", unsafe.Pointer(c), func(p unsafe.Pointer) { C.mproc_conn_free(connp(p)) })
	// Closing the end at Close, not only when the last call returns, makes
	// every later use fail at once; the peer sees end of file when the
	// handle is freed (see Close).
	w.h.onStop = func(p unsafe.Pointer) { C.mproc_conn_close(connp(p)) }
	runtime.SetFinalizer(w, func(w *Conn) { w.h.close() })
	return w
}

func connp(p unsafe.Pointer) *C.mproc_conn_t { return (*C.mproc_conn_t)(p) }

// Send sends one message (a copy), waiting up to timeout for the channel
// to have room. Errors: ErrPipe (the peer is gone), ErrNotSupported (a
// receive-only end), ErrTimeout (nothing sent; or, if the message had been
// partly written, it is lost and later sends fail with ErrState).
func (c *Conn) Send(data []byte, timeout time.Duration) error {
	return c.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_conn_send(connp(p), bytesPtr(data), C.size_t(len(data)), millis(timeout))
	})
}

// Recv receives one message, waiting up to timeout. Errors: ErrEOF (the
// peer closed and every message was read; errors.Is(err, io.EOF) holds
// too), ErrTimeout, ErrNotSupported (a send-only end).
func (c *Conn) Recv(timeout time.Duration) ([]byte, error) {
	var m *C.mproc_msg_t
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_conn_recv(connp(p), &m, millis(timeout)) })
	if err != nil {
		return nil, err
	}
	return takeMsg(m), nil
}

// RecvInto receives one message into buf and returns its size. If buf is
// too small the error is ErrTooBig, n is the size needed, and the message
// stays for the next receive.
func (c *Conn) RecvInto(buf []byte, timeout time.Duration) (n int, err error) {
	var size C.size_t
	err = c.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_conn_recv_into(connp(p), bytesPtr(buf), C.size_t(len(buf)), &size, millis(timeout))
	})
	if err != nil && !hasCode(err, ETOOBIG) {
		return 0, err
	}
	return int(size), err
}

// Poll reports whether a Recv would not block (a message, or the end of
// the stream, is there), waiting up to timeout for that to happen.
func (c *Conn) Poll(timeout time.Duration) (bool, error) {
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_conn_poll(connp(p), millis(timeout)) })
	if hasCode(err, ETIMEDOUT) {
		return false, nil
	}
	return err == nil, err
}

// Fileno is the descriptor underneath, readable when Poll would succeed,
// for use with an event loop. It stays owned by the Conn.
func (c *Conn) Fileno() (int, error) {
	var fd C.int
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_conn_fileno(connp(p), &fd) })
	return int(fd), err
}

// Readable reports whether this end can receive.
func (c *Conn) Readable() bool {
	var v C.int
	c.h.with(func(p unsafe.Pointer) { C.mproc_conn_readable(connp(p), &v) })
	return v != 0
}

// Writable reports whether this end can send.
func (c *Conn) Writable() bool {
	var v C.int
	c.h.with(func(p unsafe.Pointer) { C.mproc_conn_writable(connp(p), &v) })
	return v != 0
}

// Close closes this end: later calls fail with ErrClosed and the peer
// sees end of file. A Send or Recv blocked in another goroutine is not
// woken (mproc cannot interrupt it); the descriptor, and so the peer's
// end of file, waits until that call returns.
func (c *Conn) Close() error {
	runtime.SetFinalizer(c, nil)
	c.h.close()
	return nil
}
