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

// Authkey returns this process's authentication key: 32 random bytes in a
// main process, inherited by the children mproc starts.
func Authkey() ([]byte, error) {
	var n C.size_t
	runtime.LockOSThread()
	rc := C.mproc_authkey_get(nil, 0, &n)
	runtime.UnlockOSThread()
	if rc != 0 && int(rc) != ETOOBIG {
		return nil, codeError(int(rc))
	}
	key := make([]byte, int(n))
	if err := call(func() C.int {
		return C.mproc_authkey_get(bytesPtr(key), C.size_t(len(key)), &n)
	}); err != nil {
		return nil, err
	}
	return key[:int(n)], nil
}

// SetAuthkey replaces this process's key (1 to 1024 bytes).
func SetAuthkey(key []byte) error {
	return call(func() C.int { return C.mproc_authkey_set(bytesPtr(key), C.size_t(len(key))) })
}

// NetOption configures Listen and Dial.
type NetOption func(*C.mproc_net_opts_t) C.int

// WithAuthkey authenticates with key instead of the process's key.
func WithAuthkey(key []byte) NetOption {
	return func(o *C.mproc_net_opts_t) C.int {
		return C.mproc_net_opts_set_authkey(o, bytesPtr(key), C.size_t(len(key)))
	}
}

// WithHandshakeTimeout bounds each peer's handshake.
func WithHandshakeTimeout(d time.Duration) NetOption {
	return func(o *C.mproc_net_opts_t) C.int { return C.mproc_net_opts_set_handshake_timeout(o, millis(d)) }
}

// withOptions runs f with a fresh option object holding opts.
func withOptions(opts []NetOption, f func(*C.mproc_net_opts_t) C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var o *C.mproc_net_opts_t
	if rc := C.mproc_net_opts_new(&o); rc < 0 {
		return lastError(int(rc))
	}
	defer C.mproc_net_opts_free(o)
	for _, opt := range opts {
		if rc := opt(o); rc < 0 {
			return lastError(int(rc))
		}
	}
	if rc := f(o); rc < 0 {
		return lastError(int(rc))
	}
	return nil
}

// Listener accepts authenticated connections (Python's
// multiprocessing.connection.Listener); Python's own Client can connect.
type Listener struct {
	h handle
}

func listenerp(p unsafe.Pointer) *C.mproc_listener_t { return (*C.mproc_listener_t)(p) }

// Listen listens on address ("tcp:127.0.0.1:0", "unix:/path",
// "abstract:name"; "" for a private address).
func Listen(address string, opts ...NetOption) (*Listener, error) {
	var caddr *C.char
	if address != "" {
		caddr = C.CString(address)
		defer C.free(unsafe.Pointer(caddr))
	}
	var l *C.mproc_listener_t
	if err := withOptions(opts, func(o *C.mproc_net_opts_t) C.int {
		return C.mproc_listener_new(&l, caddr, o)
	}); err != nil {
		return nil, err
	}
	w := &Listener{}
	w.h.init("listener", unsafe.Pointer(l), func(p unsafe.Pointer) { C.mproc_listener_free(listenerp(p)) })
	runtime.SetFinalizer(w, func(w *Listener) { w.h.close() })
	return w, nil
}

// Accept returns the next authenticated connection, waiting up to
// timeout. A peer that failed to authenticate gives ErrAuth (call again).
func (l *Listener) Accept(timeout time.Duration) (*Conn, error) {
	var c *C.mproc_conn_t
	if err := l.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_listener_accept(listenerp(p), &c, millis(timeout))
	}); err != nil {
		return nil, err
	}
	return wrapConn(c), nil
}

// Addr is the address as bound ("tcp:127.0.0.1:40312").
func (l *Listener) Addr() (string, error) {
	var s *C.char
	if err := l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_listener_address(listenerp(p), &s) }); err != nil {
		return "", err
	}
	return C.GoString(s), nil
}

// Close stops listening and releases the handle.
func (l *Listener) Close() error {
	l.h.close()
	return nil
}

// Dial connects to a listener and authenticates (Python's Client), within
// timeout.
func Dial(address string, timeout time.Duration, opts ...NetOption) (*Conn, error) {
	caddr := C.CString(address)
	defer C.free(unsafe.Pointer(caddr))
	var c *C.mproc_conn_t
	if err := withOptions(opts, func(o *C.mproc_net_opts_t) C.int {
		return C.mproc_conn_connect(&c, caddr, o, millis(timeout))
	}); err != nil {
		return nil, err
	}
	return wrapConn(c), nil
}

// Wait blocks until at least one of the connections and listeners is
// ready (Python's multiprocessing.connection.wait) or timeout passes, and
// returns the indexes of the ready ones in `conns` followed by those in
// `listeners` (offset by len(conns)); none on timeout.
func Wait(conns []*Conn, listeners []*Listener, timeout time.Duration) ([]int, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var w *C.mproc_waitset_t
	if rc := C.mproc_waitset_new(&w); rc < 0 {
		return nil, lastError(int(rc))
	}
	defer C.mproc_waitset_free(w)
	index := map[C.size_t]int{}
	for i, c := range conns {
		var slot C.size_t
		if err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_waitset_add_conn(w, connp(p), &slot) }); err != nil {
			return nil, err
		}
		index[slot] = i
	}
	for i, l := range listeners {
		var slot C.size_t
		if err := l.h.do(func(p unsafe.Pointer) C.int { return C.mproc_waitset_add_listener(w, listenerp(p), &slot) }); err != nil {
			return nil, err
		}
		index[slot] = len(conns) + i
	}
	n := len(conns) + len(listeners)
	ready := make([]C.size_t, n+1)
	var count C.size_t
	rc := C.mproc_waitset_wait(w, millis(timeout), &ready[0], C.size_t(n), &count)
	if int(rc) == ETIMEDOUT {
		return nil, nil
	}
	if rc < 0 {
		return nil, lastError(int(rc))
	}
	out := make([]int, 0, int(count))
	for i := 0; i < int(count) && i < n; i++ {
		out = append(out, index[ready[i]])
	}
	return out, nil
}
