package mproc

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Every Context variant gives up with ctx.Err() when its context ends, and
// returns the call's own result when that comes first.
func TestContextVariantsStopWithTheContext(t *testing.T) {
	expired := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	r, w, err := Pipe(true)
	ok(t, err)
	defer r.Close()
	defer w.Close()
	if _, err := r.RecvContext(expired()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RecvContext: %v", err)
	}
	ok(t, w.Send([]byte("hi"), patience))
	if msg, err := r.RecvContext(context.Background()); err != nil || string(msg) != "hi" {
		t.Fatalf("RecvContext with a message: %q %v", msg, err)
	}

	s, err := NewSemaphore(0)
	ok(t, err)
	defer s.Close()
	if err := s.AcquireContext(expired()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Semaphore.AcquireContext: %v", err)
	}
	ok(t, s.Release())
	ok(t, s.AcquireContext(context.Background()))

	e, err := NewEvent()
	ok(t, err)
	defer e.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.WaitContext(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Event.WaitContext: %v", err)
	}

	l, err := NewLock()
	ok(t, err)
	defer l.Close()
	ok(t, l.Acquire(0))
	held := make(chan error)
	go func() { held <- l.AcquireContext(expired()) }()
	if err := <-held; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock.AcquireContext of a held lock: %v", err)
	}
	ok(t, l.Release())
}
