package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>

#define MPROC_GO_SLOTS 64
extern const mproc_pool_fn mproc_go_pool_slots[MPROC_GO_SLOTS];
extern const mproc_task_fn mproc_go_proc_slots[MPROC_GO_SLOTS];
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// PoolFunc is a pool task written in Go: it turns a task's input bytes
// into its output bytes. A returned error reaches the caller of the pool
// with its message: an *Error keeps its code, any other error arrives as
// ETASK. A panic is recovered and arrives as ETASK too.
type PoolFunc func(input []byte) ([]byte, error)

// TaskFunc is a process task written in Go: the body of a child process,
// which exits with the returned status (0..255).
type TaskFunc func(args *TaskArgs) int

// The Go side of the slots in task_slots.c.
var (
	slotsMu   sync.RWMutex
	slotNames = map[string]int{}
	poolFuncs []PoolFunc
	procFuncs []TaskFunc
)

// RegisterPoolTask registers fn as the pool task name. As in C, a program
// whose pools use the spawn start method (the one a Go program can use,
// see Pool) must register every task in main() before calling Main, in
// the same way every time it runs: the workers run the program again and
// find the task by its name there. At most 64 Go tasks (of both kinds)
// per program. Errors: EEXIST (the name is taken), EINVAL.
func RegisterPoolTask(name string, fn PoolFunc) error {
	if fn == nil {
		return bindingError(EINVAL, "RegisterPoolTask: nil function")
	}
	return register(name, func(slot int) C.int {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		return C.mproc_task_register(cname, nil, C.mproc_go_pool_slots[slot])
	}, func() { poolFuncs[len(poolFuncs)-1] = fn })
}

// RegisterTask registers fn as the process task name, for NewProcess; the
// same rules as RegisterPoolTask.
func RegisterTask(name string, fn TaskFunc) error {
	if fn == nil {
		return bindingError(EINVAL, "RegisterTask: nil function")
	}
	return register(name, func(slot int) C.int {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		return C.mproc_task_register(cname, C.mproc_go_proc_slots[slot], nil)
	}, func() { procFuncs[len(procFuncs)-1] = fn })
}

// register takes the next slot, registers it with the C registry under
// name, then stores the Go function (set) in that slot.
func register(name string, cRegister func(slot int) C.int, set func()) error {
	slotsMu.Lock()
	defer slotsMu.Unlock()
	if _, taken := slotNames[name]; taken {
		return bindingError(EEXIST, fmt.Sprintf("a Go task is already registered as %q", name))
	}
	slot := len(poolFuncs)
	if slot >= C.MPROC_GO_SLOTS {
		return bindingError(ENOMEM, fmt.Sprintf("more than %d Go tasks", C.MPROC_GO_SLOTS))
	}
	if err := call(func() C.int { return cRegister(slot) }); err != nil {
		return err
	}
	poolFuncs, procFuncs = append(poolFuncs, nil), append(procFuncs, nil)
	set()
	slotNames[name] = slot
	return nil
}

// Main must be called first thing in main(), right after registering the
// program's tasks: in the parent it returns nil at once; in a child or pool
// worker started by spawn it runs the requested task and exits the process
// instead of returning (Python's `if __name__ == "__main__":` guard). An
// error means this process was started by mproc but could not read its
// orders; it should exit.
func Main() error {
	// The strings stay allocated for the process's life: mproc_main keeps
	// no promise to copy them.
	argv := make([]*C.char, len(os.Args)+1)
	for i, a := range os.Args {
		argv[i] = C.CString(a)
	}
	cargv := (**C.char)(C.malloc(C.size_t(len(argv)) * C.size_t(unsafe.Sizeof(argv[0]))))
	copy(unsafe.Slice(cargv, len(argv)), argv)
	return call(func() C.int { return C.mproc_main(C.int(len(os.Args)), cargv) })
}

func slotFunc[T any](funcs *[]T, slot C.int) (T, bool) {
	slotsMu.RLock()
	defer slotsMu.RUnlock()
	var zero T
	if slot < 0 || int(slot) >= len(*funcs) {
		return zero, false
	}
	return (*funcs)[slot], true
}

// guarded runs f, turning a panic into an error.
func guarded[T any](f func() (T, error)) (out T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = bindingError(ETASK, fmt.Sprintf("Go task panicked: %v", r))
		}
	}()
	return f()
}

//export goPoolTask
func goPoolTask(slot C.int, in unsafe.Pointer, n C.size_t, out *C.mproc_result_t) C.int {
	fn, ok := slotFunc(&poolFuncs, slot)
	if !ok || fn == nil {
		return resultError(out, bindingError(ENOTFOUND, "no Go pool task in this slot"))
	}
	input := goBytes(in, n)
	output, err := guarded(func() ([]byte, error) { return fn(input) })
	if err != nil {
		return resultError(out, err)
	}
	return C.mproc_result_set(out, bytesPtr(output), C.size_t(len(output)))
}

func resultError(out *C.mproc_result_t, err error) C.int {
	code := ETASK
	var e *Error
	if errors.As(err, &e) && e.Code < 0 {
		code = e.Code
	}
	msg := C.CString(err.Error())
	defer C.free(unsafe.Pointer(msg))
	return C.mproc_result_error(out, C.int(code), msg)
}

//export goProcessTask
func goProcessTask(slot C.int, args *C.mproc_args_t) C.int {
	fn, ok := slotFunc(&procFuncs, slot)
	if !ok || fn == nil {
		fmt.Fprintln(os.Stderr, "mproc: no Go task in this slot")
		return 255
	}
	status, err := guarded(func() (int, error) { return fn(&TaskArgs{raw: args}), nil })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		// As a Go program that panics.
		return 2
	}
	return C.int(status)
}

// TaskArgs is a process task's argument list, valid while the task runs.
// Handles it returns (Queue, Event, Lock) are the task's to close.
type TaskArgs struct {
	raw *C.mproc_args_t
}

// Len is the number of arguments.
func (a *TaskArgs) Len() int {
	var n C.size_t
	if C.mproc_args_count(a.raw, &n) != 0 {
		return 0
	}
	return int(n)
}

// Bytes is a copy of argument i ([]byte). Errors: ERANGE, ETYPE.
func (a *TaskArgs) Bytes(i int) ([]byte, error) {
	var p unsafe.Pointer
	var n C.size_t
	if err := call(func() C.int { return C.mproc_args_get_bytes(a.raw, C.size_t(i), &p, &n) }); err != nil {
		return nil, err
	}
	return goBytes(p, n), nil
}

// String is argument i (a string).
func (a *TaskArgs) String(i int) (string, error) {
	var s *C.char
	if err := call(func() C.int { return C.mproc_args_get_str(a.raw, C.size_t(i), &s) }); err != nil {
		return "", err
	}
	return C.GoString(s), nil
}

// Int is argument i (an integer).
func (a *TaskArgs) Int(i int) (int64, error) {
	var v C.int64_t
	err := call(func() C.int { return C.mproc_args_get_i64(a.raw, C.size_t(i), &v) })
	return int64(v), err
}

// Float is argument i (a float64).
func (a *TaskArgs) Float(i int) (float64, error) {
	var v C.double
	err := call(func() C.int { return C.mproc_args_get_f64(a.raw, C.size_t(i), &v) })
	return float64(v), err
}

// Queue is argument i (a *Queue passed to NewProcess).
func (a *TaskArgs) Queue(i int) (*Queue, error) {
	var q *C.mproc_queue_t
	if err := call(func() C.int { return C.mproc_args_get_queue(a.raw, C.size_t(i), &q) }); err != nil {
		return nil, err
	}
	return wrapQueue(q), nil
}

// Event is argument i (an *Event).
func (a *TaskArgs) Event(i int) (*Event, error) {
	var e *C.mproc_event_t
	if err := call(func() C.int { return C.mproc_args_get_event(a.raw, C.size_t(i), &e) }); err != nil {
		return nil, err
	}
	return wrapEvent(e), nil
}

// Lock is argument i (a *Lock).
func (a *TaskArgs) Lock(i int) (*Lock, error) {
	var l *C.mproc_lock_t
	if err := call(func() C.int { return C.mproc_args_get_lock(a.raw, C.size_t(i), &l) }); err != nil {
		return nil, err
	}
	return wrapLock(l), nil
}
