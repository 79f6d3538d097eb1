package mproc

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

func TestPipeRoundTripAndEOF(t *testing.T) {
	a, b := must2(Pipe(true))(t)
	defer a.Close()
	msgs := [][]byte{[]byte("first"), {}, bytes.Repeat([]byte("z"), 300000)}
	ok(t, a.Send([]byte("back"), Forever))
	if m := must(b.Recv(Forever))(t); string(m) != "back" {
		t.Fatalf("duplex reply %q", m)
	}
	// The big message is more than the socket holds: send from another
	// goroutine while this one receives.
	sent := make(chan error, 1)
	go func() {
		for _, m := range msgs {
			if err := b.Send(m, Forever); err != nil {
				sent <- err
				return
			}
		}
		sent <- b.Close()
	}()
	for i, want := range msgs {
		got := must(a.Recv(Forever))(t)
		if !bytes.Equal(got, want) {
			t.Fatalf("message %d: %d bytes, want %d", i, len(got), len(want))
		}
	}
	ok(t, <-sent)
	// The peer closed and everything was read: end of file, at once.
	ready := must(a.Poll(0))(t)
	if !ready {
		t.Fatal("Poll = false at end of file")
	}
	_, err := a.Recv(Forever)
	if !errors.Is(err, ErrEOF) || !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the peer closed: %v, want ErrEOF", err)
	}
	if err := a.Send([]byte("x"), time.Second); !errors.Is(err, ErrPipe) {
		t.Fatalf("Send to a closed peer: %v, want ErrPipe", err)
	}
	if err := b.Send([]byte("x"), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send on a closed end: %v, want ErrClosed", err)
	}
}

func TestPipeOneWayAndPoll(t *testing.T) {
	r, w := must2(Pipe(false))(t)
	defer r.Close()
	defer w.Close()
	if !r.Readable() || r.Writable() || w.Readable() || !w.Writable() {
		t.Fatal("one-way ends have the wrong directions")
	}
	if err := r.Send([]byte("x"), 0); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("Send on the receive end: %v", err)
	}
	start := time.Now()
	ready, err := r.Poll(50 * time.Millisecond)
	if err != nil || ready || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("Poll with nothing sent = %v, %v after %v", ready, err, time.Since(start))
	}
	if _, err := r.Recv(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Recv with nothing sent: %v", err)
	}
	ok(t, w.Send([]byte("payload"), Forever))
	if ready := must(r.Poll(Forever))(t); !ready {
		t.Fatal("Poll = false with a message waiting")
	}
	small := make([]byte, 3)
	if n, err := r.RecvInto(small, 0); !errors.Is(err, ErrTooBig) || n != 7 {
		t.Fatalf("RecvInto(small) = %d, %v", n, err)
	}
	buf := make([]byte, 16)
	n := must(r.RecvInto(buf, 0))(t)
	if string(buf[:n]) != "payload" {
		t.Fatalf("RecvInto = %q", buf[:n])
	}
	if fd := must(r.Fileno())(t); fd < 0 {
		t.Fatalf("Fileno = %d", fd)
	}
}
