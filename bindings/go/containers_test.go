package mproc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

func TestSharedDict(t *testing.T) {
	d := must(NewSharedDict())(t)
	defer d.Close()
	if d.Name() != "" {
		t.Fatalf("anonymous dict named %q", d.Name())
	}
	ok(t, d.Set([]byte("a"), []byte("1")))
	ok(t, d.Set([]byte("b"), []byte{0, 255}))
	ok(t, d.Set(nil, nil))
	v, present, err := d.Get([]byte("b"))
	ok(t, err)
	if !present || !bytes.Equal(v, []byte{0, 255}) {
		t.Fatalf("Get(b) = %v, %v", v, present)
	}
	if _, present, _ := d.Get([]byte("zz")); present {
		t.Fatal("a missing key is present")
	}
	if v, present, _ := d.Get(nil); !present || len(v) != 0 {
		t.Fatalf("the empty key: %v, %v", v, present)
	}
	if added := must(d.Add([]byte("a"), []byte("x")))(t); added {
		t.Fatal("Add replaced a present key")
	}
	if swapped := must(d.Replace([]byte("a"), []byte("1"), []byte("11")))(t); !swapped {
		t.Fatal("Replace with the right value failed")
	}
	if swapped := must(d.Replace([]byte("a"), []byte("1"), []byte("111")))(t); swapped {
		t.Fatal("Replace with a stale value succeeded")
	}
	if _, err := d.Replace([]byte("q"), nil, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Replace of a missing key: %v", err)
	}
	big := bytes.Repeat([]byte("x"), 100000)
	ok(t, d.Set([]byte("big"), big))
	if v, _, _ := d.Get([]byte("big")); !bytes.Equal(v, big) {
		t.Fatal("a large value came back different")
	}
	items := must(d.Items())(t)
	if len(items) != 4 || string(items["a"]) != "11" {
		t.Fatalf("Items = %v", items)
	}
	if n := must(d.Len())(t); n != 4 {
		t.Fatalf("Len = %d", n)
	}
	if v, present, err := d.Pop([]byte("a")); err != nil || !present || string(v) != "11" {
		t.Fatalf("Pop = %q, %v, %v", v, present, err)
	}
	if deleted := must(d.Delete([]byte("a")))(t); deleted {
		t.Fatal("deleted a missing key")
	}
	if has := must(d.Contains([]byte("b")))(t); !has {
		t.Fatal("Contains(b) is false")
	}
	ok(t, d.Check())
	ok(t, d.Clear())
	if n := must(d.Len())(t); n != 0 {
		t.Fatalf("Len after Clear = %d", n)
	}
}

func TestSharedList(t *testing.T) {
	l := must(NewSharedList())(t)
	defer l.Close()
	ok(t, l.Append([]byte("b")))
	ok(t, l.Append([]byte("c")))
	ok(t, l.Insert(0, []byte("a")))
	ok(t, l.Insert(-1, []byte("b2")))
	values := must(l.Values())(t)
	if fmt.Sprintf("%s", values) != "[a b b2 c]" {
		t.Fatalf("Values = %s", values)
	}
	if v, present, _ := l.Get(-1); !present || string(v) != "c" {
		t.Fatalf("Get(-1) = %q", v)
	}
	if _, present, _ := l.Get(4); present {
		t.Fatal("Get(4) of 4 elements is present")
	}
	if err := l.Set(9, nil); !hasCode(err, ERANGE) {
		t.Fatalf("Set(9): %v", err)
	}
	if v, present, _ := l.Pop(-1); !present || string(v) != "c" {
		t.Fatalf("Pop(-1) = %q", v)
	}
	ok(t, l.Check())
	ok(t, l.Clear())
	if _, present, err := l.Pop(-1); present || err != nil {
		t.Fatalf("Pop of an empty list: %v, %v", present, err)
	}
}

func TestSharedDictFull(t *testing.T) {
	d := must(NewSharedDict(Limit(4096)))(t)
	defer d.Close()
	value := bytes.Repeat([]byte("v"), 200)
	var err error
	stored := 0
	for ; stored < 1000; stored++ {
		if err = d.Set([]byte(strconv.Itoa(stored)), value); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrFull) {
		t.Fatalf("after %d values: %v", stored, err)
	}
	if n := must(d.Len())(t); n != stored {
		t.Fatalf("Len = %d, stored %d", n, stored)
	}
	ok(t, d.Check())
}

func TestSharedDictAcrossGoroutinesAndProcesses(t *testing.T) {
	name := testName(t, "dict")
	listName := testName(t, "list")
	d := must(NewSharedDict(Name(name)))(t)
	defer d.Close()
	defer Unlink(name)
	l := must(NewSharedList(Name(listName)))(t)
	defer l.Close()
	defer Unlink(listName)
	ok(t, d.Set([]byte("n"), []byte("0")))
	bump := func(d *SharedDict) error {
		for {
			old, _, err := d.Get([]byte("n"))
			if err != nil {
				return err
			}
			n, _ := strconv.Atoi(string(old))
			if done, err := d.Replace([]byte("n"), old, []byte(strconv.Itoa(n+1))); err != nil || done {
				return err
			}
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if err := bump(d); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Meanwhile another process does the same through the names.
	cmd := exec.Command(os.Args[0], "-test.run=^TestContainerChildHelper$")
	cmd.Env = append(os.Environ(), "MPROC_GO_TEST_CONTAINER="+name+" "+listName)
	out, err := cmd.CombinedOutput()
	wg.Wait()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if v, _, _ := d.Get([]byte("n")); string(v) != "500" {
		t.Fatalf("n = %s, want 500", v)
	}
	values := must(l.Values())(t)
	if len(values) != 1 || string(values[0]) != "child" {
		t.Fatalf("list = %s", values)
	}
	if _, err := OpenSharedList(name); !errors.Is(err, ErrType) {
		t.Fatalf("a dict opened as a list: %v", err)
	}
}

// TestContainerChildHelper is the child of the test above (it does
// nothing when run as a test).
func TestContainerChildHelper(t *testing.T) {
	arg := os.Getenv("MPROC_GO_TEST_CONTAINER")
	if arg == "" {
		t.Skip("only a helper process")
	}
	var names []string
	for _, f := range bytes.Fields([]byte(arg)) {
		names = append(names, string(f))
	}
	d := must(OpenSharedDict(names[0]))(t)
	defer d.Close()
	l := must(OpenSharedList(names[1]))(t)
	defer l.Close()
	for i := 0; i < 100; i++ {
		for {
			old, _, err := d.Get([]byte("n"))
			ok(t, err)
			n, _ := strconv.Atoi(string(old))
			if done := must(d.Replace([]byte("n"), old, []byte(strconv.Itoa(n+1))))(t); done {
				break
			}
		}
	}
	ok(t, l.Append([]byte("child")))
}
