package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Process runs a Go function registered with RegisterTask in a child
// process (Python's multiprocessing.Process). The child is this program
// started again (the spawn start method): it must call Main first thing in
// main(), after registering its tasks, and then runs the task and exits
// with its status. Only spawn is offered: fork would copy the Go runtime
// without its threads into the child, where Go code cannot run safely.
type Process struct {
	h handle
}

// ProcessOptions are NewProcess's options; the zero value is the defaults.
type ProcessOptions struct {
	Name   string // default "Process-N"
	Daemon bool   // ends when this program ends, even if it is killed
}

// NewProcess makes a process that will run the task registered as task
// with args: each a []byte, string, int, int64, float64, *Queue, *Event or
// *Lock (handles reach the child as handles of the same objects). opts may
// be nil. Errors: ENOTFOUND (no such task), ETYPE, EINVAL.
func NewProcess(task string, args []any, opts *ProcessOptions) (*Process, error) {
	list, err := buildArgs(args)
	if err != nil {
		return nil, err
	}
	var o *C.mproc_process_opts_t
	if err := call(func() C.int { return C.mproc_process_opts_new(&o) }); err != nil {
		C.mproc_args_free(list)
		return nil, err
	}
	defer C.mproc_process_opts_free(o)
	C.mproc_process_opts_set_start_method(o, C.MPROC_START_SPAWN)
	if opts != nil {
		if opts.Daemon {
			C.mproc_process_opts_set_daemon(o, 1)
		}
		if opts.Name != "" {
			cname := C.CString(opts.Name)
			defer C.free(unsafe.Pointer(cname))
			if err := call(func() C.int { return C.mproc_process_opts_set_name(o, cname) }); err != nil {
				C.mproc_args_free(list)
				return nil, err
			}
		}
	}
	ctask := C.CString(task)
	defer C.free(unsafe.Pointer(ctask))
	var p *C.mproc_process_t
	// mproc_process_new takes the list in every case.
	if err := call(func() C.int { return C.mproc_process_new(&p, ctask, list, o) }); err != nil {
		return nil, err
	}
	w := &Process{}
	w.h.init("process", unsafe.Pointer(p), func(p unsafe.Pointer) { C.mproc_process_free(pp(p)) })
	runtime.SetFinalizer(w, func(w *Process) { w.h.close() })
	return w, nil
}

func pp(p unsafe.Pointer) *C.mproc_process_t { return (*C.mproc_process_t)(p) }

// buildArgs makes a C argument list of Go values.
func buildArgs(args []any) (*C.mproc_args_t, error) {
	var list *C.mproc_args_t
	if err := call(func() C.int { return C.mproc_args_new(&list) }); err != nil {
		return nil, err
	}
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case []byte:
			err = call(func() C.int { return C.mproc_args_add_bytes(list, bytesPtr(v), C.size_t(len(v))) })
		case string:
			cs := C.CString(v)
			err = call(func() C.int { return C.mproc_args_add_str(list, cs) })
			C.free(unsafe.Pointer(cs))
		case int:
			err = call(func() C.int { return C.mproc_args_add_i64(list, C.int64_t(v)) })
		case int64:
			err = call(func() C.int { return C.mproc_args_add_i64(list, C.int64_t(v)) })
		case float64:
			err = call(func() C.int { return C.mproc_args_add_f64(list, C.double(v)) })
		case *Queue:
			err = v.h.do(func(p unsafe.Pointer) C.int { return C.mproc_args_add_queue(list, qp(p)) })
		case *Event:
			err = v.h.do(func(p unsafe.Pointer) C.int { return C.mproc_args_add_event(list, ep(p)) })
		case *Lock:
			err = v.h.do(func(p unsafe.Pointer) C.int { return C.mproc_args_add_lock(list, lp(p)) })
		default:
			err = bindingError(EINVAL, fmt.Sprintf("NewProcess: argument %d has type %T, which cannot reach a child", i, a))
		}
		if err != nil {
			C.mproc_args_free(list)
			return nil, err
		}
	}
	return list, nil
}

// Start starts the child. Errors: ESTATE (started already), EBOOTSTRAP,
// ENOTFOUND (the child's program did not register the task).
func (p *Process) Start() error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_start(pp(h)) })
}

// Join waits up to timeout for the child to end: nil, or ErrTimeout.
func (p *Process) Join(timeout time.Duration) error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_join(pp(h), millis(timeout)) })
}

// JoinContext waits until the child ends or ctx is done (ctx.Err()).
func (p *Process) JoinContext(ctx context.Context) error {
	return untilDone(ctx, p.Join)
}

// IsAlive reports whether the child runs.
func (p *Process) IsAlive() (bool, error) {
	var v C.int
	err := p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_is_alive(pp(h), &v) })
	return v != 0, err
}

// ExitCode is the child's status, -N after signal N. ErrState while it runs.
func (p *Process) ExitCode() (int, error) {
	var v C.int
	err := p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_exitcode(pp(h), &v) })
	return int(v), err
}

// Pid is the child's process id.
func (p *Process) Pid() (int, error) {
	var v C.int64_t
	err := p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_pid(pp(h), &v) })
	return int(v), err
}

// Terminate sends SIGTERM; Kill sends SIGKILL.
func (p *Process) Terminate() error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_terminate(pp(h)) })
}

func (p *Process) Kill() error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_process_kill(pp(h)) })
}

// Close releases the handle (a running child keeps running, and a
// non-daemon child is still joined when this program exits).
func (p *Process) Close() error {
	runtime.SetFinalizer(p, nil)
	p.h.close()
	return nil
}
