package mproc

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// childEnv makes the test binary act as a second process (see
// crossproc_test.go) instead of running the tests.
const childEnv = "MPROC_GO_TEST_CHILD"

func TestMain(m *testing.M) {
	// Pool workers and processes are this test binary run again: they
	// register the same tasks, then Main runs theirs and exits.
	registerTestTasks()
	if err := Main(); err != nil {
		fmt.Fprintln(os.Stderr, "mproc.Main:", err)
		os.Exit(2)
	}
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(childMain(role))
	}
	code := m.Run()
	if leftovers := shmLeftovers(); len(leftovers) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: named objects left in /dev/shm: %v\n", leftovers)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

var (
	namesMu sync.Mutex
	names   []string
)

// testName is a name for a named object, unique to this test process, that
// the final check in TestMain expects to be unlinked by the end.
func testName(t *testing.T, what string) string {
	name := fmt.Sprintf("mproc-gotest-%d-%s", os.Getpid(), what)
	track(name)
	return name
}

// track adds a name (e.g. one mproc chose) to the final check.
func track(name string) {
	namesMu.Lock()
	defer namesMu.Unlock()
	names = append(names, name)
}

// shmLeftovers lists the tracked names, and any other name with this
// process's prefix, still present in /dev/shm.
func shmLeftovers() []string {
	namesMu.Lock()
	defer namesMu.Unlock()
	seen := map[string]bool{}
	var left []string
	for _, n := range names {
		if _, err := os.Stat("/dev/shm/" + n); err == nil && !seen[n] {
			seen[n] = true
			left = append(left, n)
		}
	}
	more, _ := filepath.Glob(fmt.Sprintf("/dev/shm/mproc-gotest-%d-*", os.Getpid()))
	for _, p := range more {
		if n := filepath.Base(p); !seen[n] {
			seen[n] = true
			left = append(left, n)
		}
	}
	return left
}

// must turns a (value, error) result into the value, failing the test at
// once on an error: x := must(f())(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// must2 is must for Pipe's two ends.
func must2(a, b *Conn, err error) func(*testing.T) (*Conn, *Conn) {
	return func(t *testing.T) (*Conn, *Conn) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

// ok fails the test at once on an error.
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
