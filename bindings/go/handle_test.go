package mproc

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestUseAfterCloseIsAnError(t *testing.T) {
	q := must(NewQueue(Capacity(4096)))(t)
	l := must(NewLock())(t)
	s := must(NewSemaphore(1))(t)
	e := must(NewEvent())(t)
	b := must(NewBarrier(2))(t)
	c := must(NewCondition(nil))(t)
	r := must(NewRLock())(t)
	a, z := must2(Pipe(true))(t)
	cmd := must(NewCommand([]string{"true"}, nil))(t)
	for _, h := range []interface{ Close() error }{q, l, s, e, b, c, r, a, z, cmd} {
		ok(t, h.Close())
		ok(t, h.Close()) // idempotent
	}
	checks := map[string]error{
		"Queue.Put":   q.Put([]byte("x"), 0),
		"Lock":        l.Acquire(0),
		"RLock":       r.Release(),
		"Semaphore":   s.Release(),
		"Event":       e.Set(),
		"Barrier":     b.Abort(),
		"Condition":   c.Acquire(0),
		"Conn.Send":   a.Send(nil, 0),
		"Command":     cmd.Start(),
		"Queue.Empty": func() error { _, err := q.Empty(); return err }(),
	}
	for what, err := range checks {
		var me *Error
		if !errors.As(err, &me) || !errors.Is(err, ErrClosed) || me.Message == "" {
			t.Errorf("%s after Close: %v, want ErrClosed", what, err)
		}
	}
	if _, err := q.Get(0); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if a.Readable() {
		t.Error("a closed Conn reports readable")
	}
}

// waitFreed runs the collector until the live handle count drops to want.
// No sleeping: each runtime.GC queues the finalizers of what it found
// unreachable, and Gosched lets the finalizer goroutine run them.
func waitFreed(t *testing.T, want int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for liveHandles.Load() > want {
		if time.Now().After(deadline) {
			t.Fatalf("%d handles still live, want %d: finalizers did not free them", liveHandles.Load(), want)
		}
		runtime.GC()
		runtime.Gosched()
	}
}

func TestFinalizersFreeForgottenHandles(t *testing.T) {
	base := liveHandles.Load()
	func() {
		for i := 0; i < 50; i++ {
			must(NewQueue(Capacity(4096)))(t)
			must(NewLock())(t)
			s := must(NewSharedMemory(4096))(t)
			s.Bytes()[0] = 1
			must2(Pipe(true))(t)
		}
	}()
	if liveHandles.Load() < base+250 {
		t.Fatalf("handle count did not grow: %d from %d", liveHandles.Load(), base)
	}
	waitFreed(t, base)
}

// Close while another goroutine is inside a call: the C handle must stay
// valid until that call returns, then be freed.
func TestCloseDuringBlockedCall(t *testing.T) {
	name := testName(t, "closing")
	q := must(NewQueue(Name(name), Capacity(4096)))(t)
	defer Unlink(name)
	other := must(OpenQueue(name))(t)
	defer other.Close()
	base := liveHandles.Load()

	got := make(chan error, 1)
	go func() {
		m, err := q.Get(Forever)
		if err == nil && string(m) != "release" {
			err = errors.New("wrong message " + string(m))
		}
		got <- err
	}()
	ok(t, q.Close())
	// Whether the Get was already in C (it then gets this message) or not
	// yet (it then fails with ErrClosed), it must return and nothing may
	// crash.
	ok(t, other.Put([]byte("release"), Forever))
	if err := <-got; err != nil && !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	waitFreed(t, base-1)
	ok(t, Unlink(name))
}
