package mproc

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAuthkeyIs32Bytes(t *testing.T) {
	key, err := Authkey()
	if err != nil || len(key) != 32 {
		t.Fatalf("Authkey() = %d bytes, %v", len(key), err)
	}
}

func TestListenDialExchange(t *testing.T) {
	key := []byte("go-binding-key")
	l, err := Listen("tcp:127.0.0.1:0", WithAuthkey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr, err := l.Addr()
	if err != nil || !strings.HasPrefix(addr, "tcp:127.0.0.1:") {
		t.Fatalf("Addr() = %q, %v", addr, err)
	}
	c, err := Dial(addr, 30*time.Second, WithAuthkey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept(30 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ready, err := Wait([]*Conn{s}, nil, 0); err != nil || len(ready) != 0 {
		t.Fatalf("Wait before a message = %v, %v", ready, err)
	}
	if err := c.Send([]byte("hello"), Forever); err != nil {
		t.Fatal(err)
	}
	if ready, err := Wait([]*Conn{s}, []*Listener{l}, 30*time.Second); err != nil || len(ready) != 1 || ready[0] != 0 {
		t.Fatalf("Wait = %v, %v", ready, err)
	}
	got, err := s.Recv(30 * time.Second)
	if err != nil || string(got) != "hello" {
		t.Fatalf("Recv = %q, %v", got, err)
	}
}

func TestDialWithWrongKeyFailsOnBothSides(t *testing.T) {
	l, err := Listen("tcp:127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr, _ := l.Addr()
	if _, err := Dial(addr, 30*time.Second, WithAuthkey([]byte("wrong"))); !errors.Is(err, ErrAuth) {
		t.Fatalf("Dial with a wrong key: %v", err)
	}
	if _, err := l.Accept(30 * time.Second); !errors.Is(err, ErrAuth) {
		t.Fatalf("Accept of a wrong key: %v", err)
	}
}
