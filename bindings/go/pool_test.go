package mproc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

const patience = 60 * time.Second

func registerTestTasks() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(RegisterPoolTask("double", func(in []byte) ([]byte, error) {
		if len(in) != 8 {
			return nil, fmt.Errorf("want 8 bytes, got %d", len(in))
		}
		out := make([]byte, 8)
		binary.LittleEndian.PutUint64(out, 2*binary.LittleEndian.Uint64(in))
		return out, nil
	}))
	must(RegisterPoolTask("upper", func(in []byte) ([]byte, error) {
		return []byte(strings.ToUpper(string(in))), nil
	}))
	must(RegisterPoolTask("fail_invalid", func([]byte) ([]byte, error) {
		return nil, bindingError(EINVAL, "refused on purpose")
	}))
	must(RegisterPoolTask("panics", func([]byte) ([]byte, error) { panic("on purpose") }))
	must(RegisterPoolTask("exits", func([]byte) ([]byte, error) { os.Exit(3); return nil, nil }))
	must(RegisterPoolTask("blocks", func([]byte) ([]byte, error) { select {} }))
	must(RegisterTask("greet", func(a *TaskArgs) int {
		q, err := a.Queue(0)
		if err != nil {
			return 10
		}
		defer q.Close()
		who, err := a.String(1)
		if err != nil {
			return 11
		}
		n, err := a.Int(2)
		if err != nil {
			return 12
		}
		if q.Put([]byte(fmt.Sprintf("hello %s %d", who, n)), patience) != nil {
			return 13
		}
		return 7
	}))
	must(RegisterTask("wait_for_event", func(a *TaskArgs) int {
		e, err := a.Event(0)
		if err != nil {
			return 10
		}
		defer e.Close()
		if e.Wait(Forever) != nil {
			return 11
		}
		return 0
	}))
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func newPool(t *testing.T, n int) *Pool {
	p, err := NewPool(PoolOptions{Processes: n})
	ok(t, err)
	t.Cleanup(p.Free)
	return p
}

func TestPoolRunsGoFunctions(t *testing.T) {
	p := newPool(t, 2)
	out, err := p.Apply("double", u64(21))
	ok(t, err)
	if got := binary.LittleEndian.Uint64(out); got != 42 {
		t.Fatalf("double(21) = %d", got)
	}
	r, err := p.ApplyAsync("upper", []byte("abc"))
	ok(t, err)
	defer r.Close()
	out, err = r.Get(patience)
	ok(t, err)
	if string(out) != "ABC" || !r.Ready() {
		t.Fatalf("upper: %q ready=%v", out, r.Ready())
	}
	inputs := [][]byte{[]byte("x"), {}, []byte("go")}
	outs, err := p.Map("upper", inputs)
	ok(t, err)
	if string(outs[0]) != "X" || len(outs[1]) != 0 || string(outs[2]) != "GO" {
		t.Fatalf("Map: %q", outs)
	}
	it, err := p.ImapUnordered("upper", inputs, 1)
	ok(t, err)
	defer it.Close()
	seen := map[int]string{}
	for {
		i, b, err := it.Next(patience)
		if errors.Is(err, ErrDone) {
			break
		}
		ok(t, err)
		seen[i] = string(b)
	}
	if len(seen) != 3 || seen[2] != "GO" {
		t.Fatalf("ImapUnordered: %v", seen)
	}
	ok(t, p.Close())
	ok(t, p.Join(patience))
	if _, err := p.ApplyAsync("upper", nil); !errors.Is(err, ErrState) {
		t.Fatalf("apply after Close: %v", err)
	}
}

func TestPoolTaskErrorsStayWithTheirTask(t *testing.T) {
	p := newPool(t, 2)
	_, err := p.Apply("double", []byte("short"))
	var e *Error
	if !errors.As(err, &e) || e.Code != ETASK || !strings.Contains(e.Message, "want 8 bytes") {
		t.Fatalf("a Go error: %v", err)
	}
	if _, err := p.Apply("fail_invalid", nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "refused on purpose") {
		t.Fatalf("an *Error keeps its code: %v", err)
	}
	if _, err := p.Apply("panics", nil); !hasCode(err, ETASK) || !strings.Contains(err.Error(), "panicked: on purpose") {
		t.Fatalf("a panic: %v", err)
	}
	if _, err := p.Apply("exits", nil); !hasCode(err, EWORKER) {
		t.Fatalf("a worker that exits: %v", err)
	}
	if _, err := p.Apply("nobody", nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unregistered: %v", err)
	}
	it, err := p.Imap("double", [][]byte{u64(1), []byte("bad"), u64(3)}, 1)
	ok(t, err)
	defer it.Close()
	for want := 0; want < 3; want++ {
		i, _, err := it.Next(patience)
		if i != want || (want == 1) != (err != nil) {
			t.Fatalf("Imap item %d: index %d, %v", want, i, err)
		}
	}
	out, err := p.Apply("double", u64(4))
	ok(t, err)
	if binary.LittleEndian.Uint64(out) != 8 {
		t.Fatal("the pool did not go on")
	}
}

func TestPoolTimeoutsAndContexts(t *testing.T) {
	p := newPool(t, 1)
	r, err := p.ApplyAsyncTimeout("blocks", nil, 100*time.Millisecond)
	ok(t, err)
	defer r.Close()
	if _, err := r.Get(patience); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a task past its limit: %v", err)
	}
	stuck, err := p.ApplyAsync("blocks", nil)
	ok(t, err)
	defer stuck.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := stuck.GetContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetContext: %v", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := p.ApplyContext(ctx2, "upper", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("ApplyContext cancelled: %v", err)
	}
	ok(t, p.Terminate())
	if _, err := stuck.Get(patience); !errors.Is(err, ErrClosed) {
		t.Fatalf("a task ended by Terminate: %v", err)
	}
	ok(t, p.JoinContext(context.Background()))
}

func TestProcessRunsARegisteredGoFunction(t *testing.T) {
	q, err := NewQueue()
	ok(t, err)
	defer q.Close()
	p, err := NewProcess("greet", []any{q, "gopher", 5}, nil)
	ok(t, err)
	defer p.Close()
	ok(t, p.Start())
	msg, err := q.GetContext(context.Background())
	ok(t, err)
	if string(msg) != "hello gopher 5" {
		t.Fatalf("child said %q", msg)
	}
	ok(t, p.JoinContext(context.Background()))
	code, err := p.ExitCode()
	ok(t, err)
	if code != 7 {
		t.Fatalf("exit code %d, want 7", code)
	}
	if _, err := NewProcess("greet", []any{struct{}{}}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an argument of no mproc type: %v", err)
	}
}

func TestProcessJoinContextAndTerminate(t *testing.T) {
	e, err := NewEvent()
	ok(t, err)
	defer e.Close()
	p, err := NewProcess("wait_for_event", []any{e}, &ProcessOptions{Name: "waiter"})
	ok(t, err)
	defer p.Close()
	ok(t, p.Start())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.JoinContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("JoinContext of a waiting child: %v", err)
	}
	ok(t, p.Terminate())
	ok(t, p.Join(patience))
	if code, _ := p.ExitCode(); code != -15 {
		t.Fatalf("exit code after Terminate: %d", code)
	}
}

func TestRegisterRefusesATakenName(t *testing.T) {
	if err := RegisterPoolTask("upper", func(b []byte) ([]byte, error) { return b, nil }); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second registration: %v", err)
	}
}

func TestLockerAdapters(t *testing.T) {
	l, err := NewLock()
	ok(t, err)
	defer l.Close()
	var m sync.Locker = l.Locker()
	m.Lock()
	if locked, _ := l.Locked(); !locked {
		t.Fatal("Locker().Lock did not take the lock")
	}
	m.Unlock()
	r, err := NewRLock()
	ok(t, err)
	defer r.Close()
	rm := r.Locker()
	rm.Lock()
	rm.Lock() // re-entrant
	rm.Unlock()
	rm.Unlock()
	defer func() {
		if recover() == nil {
			t.Fatal("Unlock of a lock not held did not panic")
		}
	}()
	m.Unlock()
}

func TestQueueTimeoutsAreTimeouts(t *testing.T) {
	q, err := NewQueue(MaxSize(1))
	ok(t, err)
	defer q.Close()
	_, err = q.Get(10 * time.Millisecond)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrEmpty) {
		t.Fatalf("Get timeout: %v", err)
	}
	ok(t, q.Put([]byte("a"), 0))
	err = q.Put([]byte("b"), 10*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, ErrFull) {
		t.Fatalf("Put timeout: %v", err)
	}
	if errors.Is(ErrTimeout, ErrEmpty) {
		t.Fatal("a lock's timeout must not read as an empty queue")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := q.PutContext(ctx, []byte("c")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PutContext: %v", err)
	}
}
