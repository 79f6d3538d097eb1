package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"context"
	"runtime"
	"time"
	"unsafe"
)

// Pool is a pool of worker processes running Go functions registered with
// RegisterPoolTask (Python's multiprocessing.Pool). Workers are this
// program started again (spawn), so the program must call Main first in
// main() after registering its tasks. A task's error comes back as that
// task's error; a worker that dies fails only the task it held (EWORKER)
// and is replaced.
type Pool struct {
	h handle
}

// PoolOptions are NewPool's options; the zero value is the defaults.
type PoolOptions struct {
	Processes        int    // 0: CPUCount()
	MaxTasksPerChild int    // 0: never replace a worker
	Initializer      string // a task registered with RegisterTask, run once by each worker
}

// NewPool starts the workers: all of them, or none and an error.
func NewPool(opts PoolOptions) (*Pool, error) {
	if opts.Processes < 0 || opts.MaxTasksPerChild < 0 {
		return nil, bindingError(EINVAL, "NewPool: negative count")
	}
	var o *C.mproc_pool_opts_t
	if err := call(func() C.int { return C.mproc_pool_opts_new(&o) }); err != nil {
		return nil, err
	}
	defer C.mproc_pool_opts_free(o)
	C.mproc_pool_opts_set_processes(o, C.size_t(opts.Processes))
	C.mproc_pool_opts_set_maxtasksperchild(o, C.size_t(opts.MaxTasksPerChild))
	C.mproc_pool_opts_set_start_method(o, C.MPROC_START_SPAWN)
	if opts.Initializer != "" {
		cinit := C.CString(opts.Initializer)
		defer C.free(unsafe.Pointer(cinit))
		if err := call(func() C.int { return C.mproc_pool_opts_set_initializer(o, cinit, nil) }); err != nil {
			return nil, err
		}
	}
	var p *C.mproc_pool_t
	if err := call(func() C.int { return C.mproc_pool_new(&p, o) }); err != nil {
		return nil, err
	}
	w := &Pool{}
	w.h.init("pool", unsafe.Pointer(p), func(p unsafe.Pointer) { C.mproc_pool_free(poolp(p)) })
	runtime.SetFinalizer(w, func(w *Pool) { w.h.close() })
	return w, nil
}

func poolp(p unsafe.Pointer) *C.mproc_pool_t { return (*C.mproc_pool_t)(p) }

// Processes is the number of workers.
func (p *Pool) Processes() (int, error) {
	var n C.size_t
	err := p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_pool_processes(poolp(h), &n) })
	return int(n), err
}

// ApplyAsync submits task with input. Errors: ENOTFOUND, ETYPE, ESTATE
// (closed), EBROKEN.
func (p *Pool) ApplyAsync(task string, input []byte) (*AsyncResult, error) {
	return p.submit(task, input, -1)
}

// ApplyAsyncTimeout is ApplyAsync for a task that may run at most limit:
// past it, its worker is killed and replaced and the task fails with
// ErrTimeout.
func (p *Pool) ApplyAsyncTimeout(task string, input []byte, limit time.Duration) (*AsyncResult, error) {
	return p.submit(task, input, limit)
}

func (p *Pool) submit(task string, input []byte, limit time.Duration) (*AsyncResult, error) {
	var o *C.mproc_task_opts_t
	if limit >= 0 {
		if err := call(func() C.int { return C.mproc_task_opts_new(&o) }); err != nil {
			return nil, err
		}
		defer C.mproc_task_opts_free(o)
		if err := call(func() C.int { return C.mproc_task_opts_set_timeout(o, millis(limit)) }); err != nil {
			return nil, err
		}
	}
	ctask := C.CString(task)
	defer C.free(unsafe.Pointer(ctask))
	var f *C.mproc_future_t
	err := p.h.do(func(h unsafe.Pointer) C.int {
		return C.mproc_pool_apply_async(poolp(h), ctask, bytesPtr(input), C.size_t(len(input)), o, &f)
	})
	if err != nil {
		return nil, err
	}
	r := &AsyncResult{}
	r.h.init("async result", unsafe.Pointer(f), func(p unsafe.Pointer) { C.mproc_future_free(futp(p)) })
	runtime.SetFinalizer(r, func(r *AsyncResult) { r.h.close() })
	return r, nil
}

// Apply runs task on input and waits for its output.
func (p *Pool) Apply(task string, input []byte) ([]byte, error) {
	return p.ApplyContext(context.Background(), task, input)
}

// ApplyContext is Apply until ctx is done (ctx.Err(); the task still runs).
func (p *Pool) ApplyContext(ctx context.Context, task string, input []byte) ([]byte, error) {
	r, err := p.ApplyAsync(task, input)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.GetContext(ctx)
}

// Map runs task on every input and returns the outputs in order, or the
// first failing item's error (use Imap to see each item's own result).
func (p *Pool) Map(task string, inputs [][]byte) ([][]byte, error) {
	return p.MapContext(context.Background(), task, inputs)
}

// MapContext is Map until ctx is done.
func (p *Pool) MapContext(ctx context.Context, task string, inputs [][]byte) ([][]byte, error) {
	it, err := p.Imap(task, inputs, 0)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	out := make([][]byte, len(inputs))
	for {
		i, b, err := it.NextContext(ctx)
		if err == ErrDone {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
}

// Imap gives results one by one in input order; chunksize 0 means 1.
func (p *Pool) Imap(task string, inputs [][]byte, chunksize int) (*Results, error) {
	return p.imap(task, inputs, chunksize, false)
}

// ImapUnordered gives results as they finish, each with its index.
func (p *Pool) ImapUnordered(task string, inputs [][]byte, chunksize int) (*Results, error) {
	return p.imap(task, inputs, chunksize, true)
}

func (p *Pool) imap(task string, inputs [][]byte, chunksize int, unordered bool) (*Results, error) {
	if chunksize < 0 {
		return nil, bindingError(EINVAL, "Imap: negative chunksize")
	}
	// The input pointers must be in C memory: cgo forbids passing Go
	// memory that holds Go pointers.
	n := len(inputs)
	ptrs := (*unsafe.Pointer)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))
	lens := (*C.size_t)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(C.size_t(0)))))
	defer C.free(unsafe.Pointer(ptrs))
	defer C.free(unsafe.Pointer(lens))
	ps, ls := unsafe.Slice(ptrs, n+1), unsafe.Slice(lens, n+1)
	for i, in := range inputs {
		ls[i] = C.size_t(len(in))
		if len(in) > 0 {
			ps[i] = C.CBytes(in)
		}
	}
	defer func() {
		for i := range inputs {
			C.free(ps[i])
		}
	}()
	var o *C.mproc_map_opts_t
	if err := call(func() C.int { return C.mproc_map_opts_new(&o) }); err != nil {
		return nil, err
	}
	defer C.mproc_map_opts_free(o)
	C.mproc_map_opts_set_chunksize(o, C.size_t(chunksize))
	ctask := C.CString(task)
	defer C.free(unsafe.Pointer(ctask))
	var it *C.mproc_imap_t
	err := p.h.do(func(h unsafe.Pointer) C.int {
		if unordered {
			return C.mproc_pool_imap_unordered(poolp(h), ctask, ptrs, lens, C.size_t(n), o, &it)
		}
		return C.mproc_pool_imap(poolp(h), ctask, ptrs, lens, C.size_t(n), o, &it)
	})
	if err != nil {
		return nil, err
	}
	r := &Results{}
	r.h.init("imap", unsafe.Pointer(it), func(p unsafe.Pointer) { C.mproc_imap_free((*C.mproc_imap_t)(p)) })
	runtime.SetFinalizer(r, func(r *Results) { r.h.close() })
	return r, nil
}

// Close stops new work: the workers exit once every submitted task is
// done. The same meaning as close in every mproc front end and in Python.
func (p *Pool) Close() error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_pool_close(poolp(h)) })
}

// Terminate kills the workers at once; tasks not done fail with ErrClosed.
func (p *Pool) Terminate() error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_pool_terminate(poolp(h)) })
}

// Join waits up to timeout, after Close or Terminate, for the workers to
// exit: nil or ErrTimeout.
func (p *Pool) Join(timeout time.Duration) error {
	return p.h.do(func(h unsafe.Pointer) C.int { return C.mproc_pool_join(poolp(h), millis(timeout)) })
}

// JoinContext is Join until ctx is done.
func (p *Pool) JoinContext(ctx context.Context) error { return untilDone(ctx, p.Join) }

// Free terminates the pool unless it was closed, waits for its workers
// and releases it. Results stay usable.
func (p *Pool) Free() {
	runtime.SetFinalizer(p, nil)
	p.h.close()
}

// AsyncResult is the future of one ApplyAsync task.
type AsyncResult struct {
	h handle
}

func futp(p unsafe.Pointer) *C.mproc_future_t { return (*C.mproc_future_t)(p) }

// Wait waits up to timeout for the task to be done (either way): nil or
// ErrTimeout.
func (r *AsyncResult) Wait(timeout time.Duration) error {
	return r.h.do(func(h unsafe.Pointer) C.int { return C.mproc_future_wait(futp(h), millis(timeout)) })
}

// Ready reports whether the task is done.
func (r *AsyncResult) Ready() bool {
	var v C.int
	return r.h.do(func(h unsafe.Pointer) C.int { return C.mproc_future_ready(futp(h), &v) }) == nil && v != 0
}

// Get waits up to timeout for the output: the task's own error (its
// message; ErrTimeout for its time limit, EWORKER if its worker died,
// ErrClosed after Terminate), or ErrTimeout if the wait ran out.
func (r *AsyncResult) Get(timeout time.Duration) ([]byte, error) {
	var m *C.mproc_msg_t
	err := r.h.do(func(h unsafe.Pointer) C.int { return C.mproc_future_result(futp(h), &m, millis(timeout)) })
	if err != nil {
		return nil, err
	}
	return takeMsg(m), nil
}

// GetContext is Get until the task is done or ctx is done (ctx.Err()).
func (r *AsyncResult) GetContext(ctx context.Context) ([]byte, error) {
	if err := untilDone(ctx, r.Wait); err != nil {
		return nil, err
	}
	return r.Get(0)
}

// Close releases the result (the task still runs).
func (r *AsyncResult) Close() error {
	runtime.SetFinalizer(r, nil)
	r.h.close()
	return nil
}

// ErrDone ends a Results: every result was delivered.
var ErrDone = codeError(EOF)

// Results are the results of Imap or ImapUnordered.
type Results struct {
	h handle
}

// Next waits up to timeout for the next result: its input's index and
// output; or its index and its own error; or (-1, ErrTimeout); or
// (-1, ErrDone) once every result was delivered.
func (r *Results) Next(timeout time.Duration) (int, []byte, error) {
	index := C.size_t(^uint(0))
	var m *C.mproc_msg_t
	err := r.h.do(func(h unsafe.Pointer) C.int {
		return C.mproc_imap_next((*C.mproc_imap_t)(h), &index, &m, millis(timeout))
	})
	i := -1
	if index != C.size_t(^uint(0)) {
		i = int(index)
	}
	if err != nil {
		if hasCode(err, EOF) {
			return -1, nil, ErrDone
		}
		return i, nil, err
	}
	return i, takeMsg(m), nil
}

// NextContext is Next until a result comes or ctx is done (ctx.Err()).
func (r *Results) NextContext(ctx context.Context) (i int, out []byte, err error) {
	i = -1
	var result error
	err = untilDone(ctx, func(t time.Duration) error {
		var e error
		i, out, e = r.Next(t)
		if e != nil && i < 0 && hasCode(e, ETIMEDOUT) {
			return e // the wait ran out: wait again
		}
		// Anything else, a task's own timeout included, is the result.
		result = e
		return nil
	})
	if err != nil {
		return -1, nil, err
	}
	return i, out, result
}

// Close drops the results still to come.
func (r *Results) Close() error {
	runtime.SetFinalizer(r, nil)
	r.h.close()
	return nil
}
