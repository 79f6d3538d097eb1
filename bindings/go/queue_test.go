package mproc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// slack bounds how late a timed-out call may return on a loaded machine.
const slack = 5 * time.Second

func TestQueueRoundTrip(t *testing.T) {
	q := must(NewQueue(Capacity(1 << 16)))(t)
	defer q.Close()
	msgs := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{0xab}, 10000), []byte("last")}
	for _, m := range msgs {
		ok(t, q.Put(m, Forever))
	}
	if n := must(q.QSize())(t); n != len(msgs) {
		t.Fatalf("QSize = %d, want %d", n, len(msgs))
	}
	for i, want := range msgs {
		got := must(q.Get(0))(t)
		if !bytes.Equal(got, want) || got == nil {
			t.Fatalf("message %d: got %d bytes %q..., want %d bytes", i, len(got), trunc(got), len(want))
		}
	}
	if empty := must(q.Empty())(t); !empty {
		t.Fatal("Empty = false after draining")
	}
}

func trunc(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

func TestQueueGetInto(t *testing.T) {
	q := must(NewQueue(Capacity(1 << 16)))(t)
	defer q.Close()
	ok(t, q.Put([]byte("hello, world"), 0))
	small := make([]byte, 4)
	n, err := q.GetInto(small, 0)
	if !errors.Is(err, ErrTooBig) || n != 12 {
		t.Fatalf("GetInto(small) = %d, %v; want 12, ErrTooBig", n, err)
	}
	buf := make([]byte, 64)
	n = must(q.GetInto(buf, 0))(t)
	if string(buf[:n]) != "hello, world" {
		t.Fatalf("GetInto = %q", buf[:n])
	}
}

func TestQueueTimeouts(t *testing.T) {
	q := must(NewQueue(MaxSize(1), Capacity(1<<16)))(t)
	defer q.Close()

	const wait = 100 * time.Millisecond
	start := time.Now()
	_, err := q.Get(wait)
	elapsed := time.Since(start)
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("Get on an empty queue: %v, want ErrEmpty", err)
	}
	if elapsed < wait || elapsed > wait+slack {
		t.Fatalf("Get(%v) gave up after %v", wait, elapsed)
	}

	ok(t, q.Put([]byte("x"), 0))
	if full := must(q.Full())(t); !full {
		t.Fatal("Full = false with maxsize items queued")
	}
	start = time.Now()
	err = q.Put([]byte("y"), wait)
	elapsed = time.Since(start)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("Put on a full queue: %v, want ErrFull", err)
	}
	if elapsed < wait || elapsed > wait+slack {
		t.Fatalf("Put(%v) gave up after %v", wait, elapsed)
	}
	// Non-blocking calls fail at once.
	if err := q.Put([]byte("y"), 0); !errors.Is(err, ErrFull) {
		t.Fatalf("Put(0) on a full queue: %v", err)
	}
}

func TestQueueEmptyAndFullAreDistinct(t *testing.T) {
	q := must(NewQueue(MaxSize(1), Capacity(1<<16)))(t)
	defer q.Close()
	_, errEmpty := q.Get(0)
	ok(t, q.Put(nil, 0))
	errFull := q.Put(nil, 0)
	if !errors.Is(errEmpty, ErrEmpty) || errors.Is(errEmpty, ErrFull) {
		t.Fatalf("empty: %v", errEmpty)
	}
	if !errors.Is(errFull, ErrFull) || errors.Is(errFull, ErrEmpty) {
		t.Fatalf("full: %v", errFull)
	}
	var e *Error
	if !errors.As(errEmpty, &e) || e.Code != EEMPTY || e.Name != "EEMPTY" {
		t.Fatalf("empty error: %#v", errEmpty)
	}
	if !errors.As(errFull, &e) || e.Code != EFULL || e.Name != "EFULL" {
		t.Fatalf("full error: %#v", errFull)
	}
}

func TestQueueBlockedGetWakesOnPut(t *testing.T) {
	q := must(NewQueue(Capacity(1 << 16)))(t)
	defer q.Close()
	got := make(chan []byte, 1)
	errs := make(chan error, 1)
	go func() {
		m, err := q.Get(Forever)
		if err != nil {
			errs <- err
			return
		}
		got <- m
	}()
	ok(t, q.Put([]byte("wake"), Forever))
	select {
	case m := <-got:
		if string(m) != "wake" {
			t.Fatalf("got %q", m)
		}
	case err := <-errs:
		t.Fatal(err)
	case <-time.After(30 * time.Second):
		t.Fatal("blocked Get did not wake after Put")
	}
}

func TestQueueShutdownVersusClose(t *testing.T) {
	q := must(NewQueue(Capacity(1 << 16)))(t)
	defer q.Close()
	ok(t, q.Put([]byte("queued"), 0))
	ok(t, q.Shutdown())
	ok(t, q.Shutdown()) // harmless twice
	if closed := must(q.IsShutdown())(t); !closed {
		t.Fatal("IsShutdown = false")
	}
	if err := q.Put([]byte("late"), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Shutdown: %v", err)
	}
	if m := must(q.Get(0))(t); string(m) != "queued" {
		t.Fatalf("Get after Shutdown = %q, want what was queued", m)
	}
	if _, err := q.Get(Forever); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get on a drained, shut queue: %v", err)
	}
}

func TestQueueTaskDoneJoin(t *testing.T) {
	q := must(NewQueue(Capacity(1 << 16)))(t)
	defer q.Close()
	const n = 5
	for i := 0; i < n; i++ {
		ok(t, q.Put([]byte{byte(i)}, 0))
	}
	if err := q.Join(0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Join with work pending: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			if _, err := q.Get(Forever); err != nil {
				done <- err
				return
			}
			if err := q.TaskDone(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	ok(t, q.Join(30*time.Second))
	ok(t, <-done)
	if err := q.TaskDone(); !errors.Is(err, ErrState) {
		t.Fatalf("extra TaskDone: %v, want ErrState", err)
	}
}

func TestQueueTooBig(t *testing.T) {
	q := must(NewQueue(Capacity(4096)))(t)
	defer q.Close()
	max := must(q.MaxMessage())(t)
	if capacity := must(q.Capacity())(t); max <= 0 || max > capacity {
		t.Fatalf("MaxMessage %d, Capacity %d", max, capacity)
	}
	err := q.Put(make([]byte, max+1), 0)
	if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), fmt.Sprint(max)) {
		t.Fatalf("oversized Put: %v (want ErrTooBig naming the limit %d)", err, max)
	}
}

func TestNamedQueueOpen(t *testing.T) {
	name := testName(t, "queue")
	q := must(NewQueue(Name(name), MaxSize(8), Capacity(1<<16)))(t)
	defer q.Close()
	defer Unlink(name)
	if q.Name() != name {
		t.Fatalf("Name = %q, want %q", q.Name(), name)
	}
	if _, err := NewQueue(Name(name)); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second queue with a taken name: %v, want EEXIST", err)
	}
	other := must(OpenQueue(name))(t)
	defer other.Close()
	ok(t, q.Put([]byte("through the name"), 0))
	if m := must(other.Get(0))(t); string(m) != "through the name" {
		t.Fatalf("got %q", m)
	}
	if max := must(other.MaxSize())(t); max != 8 {
		t.Fatalf("MaxSize through the name = %d", max)
	}
	ok(t, Unlink(name))
	if _, err := OpenQueue(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("OpenQueue after Unlink: %v", err)
	}
	// Handles opened before the unlink keep working.
	ok(t, other.Put([]byte("still"), 0))
	if m := must(q.Get(0))(t); string(m) != "still" {
		t.Fatalf("got %q", m)
	}
}

func TestNamedWithGeneratedName(t *testing.T) {
	q := must(NewQueue(Named(), Capacity(1<<16)))(t)
	defer q.Close()
	name := q.Name()
	track(name)
	defer Unlink(name)
	if !strings.HasPrefix(name, "mproc-") {
		t.Fatalf("generated name %q", name)
	}
	other := must(OpenQueue(name))(t)
	ok(t, other.Close())
	ok(t, Unlink(name))
}
