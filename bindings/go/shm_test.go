package mproc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestSharedMemory(t *testing.T) {
	s := must(NewSharedMemory(10000))(t)
	defer s.Close()
	b := s.Bytes()
	if len(b) != 10000 || s.Size() != 10000 {
		t.Fatalf("len(Bytes) = %d, Size = %d", len(b), s.Size())
	}
	if !bytes.Equal(b, make([]byte, 10000)) {
		t.Fatal("a new block is not zero-filled")
	}
	copy(b, "shared")
	if string(s.Bytes()[:6]) != "shared" {
		t.Fatal("Bytes is not a view of the block")
	}
	l := must(s.Lock())(t)
	defer l.Close()
	ok(t, l.Acquire(Forever))
	ok(t, l.Release())
	if _, err := NewSharedMemory(0); !errors.Is(err, ErrInvalid) {
		t.Fatalf("size 0: %v", err)
	}
}

func TestNamedSharedMemory(t *testing.T) {
	name := testName(t, "shm")
	s := must(NewSharedMemory(4096, Name(name)))(t)
	defer s.Close()
	defer Unlink(name)
	other := must(OpenSharedMemory(name))(t)
	defer other.Close()
	copy(s.Bytes(), "seen by both")
	if got := string(other.Bytes()[:12]); got != "seen by both" {
		t.Fatalf("the other mapping holds %q", got)
	}
	// The block's lock is the same lock through both handles.
	l1 := must(s.Lock())(t)
	defer l1.Close()
	l2 := must(other.Lock())(t)
	defer l2.Close()
	ok(t, l1.Acquire(0))
	if locked := must(l2.Locked())(t); !locked {
		t.Fatal("the block's lock differs between handles")
	}
	ok(t, l1.Release())
	ok(t, Unlink(name))
}

func TestSharedMemoryBytesAfterClose(t *testing.T) {
	s := must(NewSharedMemory(64))(t)
	ok(t, s.Close())
	if b := s.Bytes(); b != nil {
		t.Fatalf("Bytes after Close = %d bytes, want nil", len(b))
	}
	if _, err := s.Lock(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Lock after Close: %v", err)
	}
}

// A slice taken before Close used to point into unmapped memory (a
// SIGSEGV on the next write); now it is detached: no fault, and the block
// itself, still open elsewhere, does not see the write.
func TestSharedMemorySliceHeldPastClose(t *testing.T) {
	s, err := NewSharedMemory(8192, Named())
	ok(t, err)
	other, err := OpenSharedMemory(s.Name())
	ok(t, err)
	defer other.Close()
	held := s.Bytes()
	copy(held, "before")
	ok(t, s.Close())
	held[0] = 'X'
	held[len(held)-1] = 'Y'
	if got := string(other.Bytes()[:6]); got != "before" {
		t.Fatalf("the block changed through a closed handle's slice: %q", got)
	}
	if _, err := s.WriteAt([]byte("x"), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("WriteAt after Close: %v", err)
	}
	if _, err := s.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("ReadAt after Close: %v", err)
	}
}

func TestSharedMemoryReadAtWriteAt(t *testing.T) {
	s, err := NewSharedMemory(16)
	ok(t, err)
	defer s.Close()
	n, err := s.WriteAt([]byte("abc"), 14)
	if n != 2 || !errors.Is(err, io.EOF) {
		t.Fatalf("WriteAt past the end: %d, %v", n, err)
	}
	buf := make([]byte, 2)
	n, err = s.ReadAt(buf, 14)
	ok(t, err)
	if n != 2 || string(buf) != "ab" {
		t.Fatalf("ReadAt: %d %q", n, buf)
	}
	if _, err := s.ReadAt(buf, 17); !errors.Is(err, ErrInvalid) {
		t.Fatalf("ReadAt out of range: %v", err)
	}
}
