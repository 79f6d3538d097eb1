package mproc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

const (
	childQueueEnv = "MPROC_GO_TEST_QUEUE"
	childCount    = 300
)

// childMain is the second process: it opens the parent's named queue and
// puts childCount messages. Its exit status tells the parent how it went.
func childMain(role string) int {
	if role != "producer" {
		fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
		return 2
	}
	q, err := OpenQueue(os.Getenv(childQueueEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer q.Close()
	for i := 0; i < childCount; i++ {
		// The queue holds few items, so the child blocks on the parent.
		if err := q.Put([]byte(fmt.Sprintf("message %d from %d", i, os.Getpid())), 60*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
	}
	return 0
}

func TestCrossProcessQueue(t *testing.T) {
	name := testName(t, "xproc")
	q := must(NewQueue(Name(name), MaxSize(4), Capacity(1<<16)))(t)
	defer q.Close()
	defer Unlink(name)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=producer", childQueueEnv+"="+name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ok(t, cmd.Start())
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		exited <- err
		// Once the child is gone nothing more can arrive: shutting down
		// lets the loop below drain what is queued and then stop, rather
		// than wait out a timeout if the child failed early.
		q.Shutdown()
	}()

	got := 0
	for {
		m, err := q.Get(60 * time.Second)
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", got, err)
		}
		want := fmt.Sprintf("message %d from %d", got, cmd.Process.Pid)
		if string(m) != want {
			t.Fatalf("got %q, want %q", m, want)
		}
		got++
	}
	if err := <-exited; err != nil {
		t.Fatalf("child: %v; stderr:\n%s", err, stderr.String())
	}
	if got != childCount {
		t.Fatalf("received %d messages, want %d", got, childCount)
	}
	ok(t, Unlink(name))
}
