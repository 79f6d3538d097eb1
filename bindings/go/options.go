package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import "unsafe"

// sharedConfig says whether and how a shared object is named.
type sharedConfig struct {
	named bool
	name  string // "" with named: an unguessable name chosen by mproc
}

// Option configures a shared object: a lock, semaphore, event, condition,
// barrier, shared memory block or queue. Without options, objects are
// anonymous: they leave nothing in /dev/shm and vanish with their last
// user, but other processes cannot open them.
type Option func(*sharedConfig)

// Name makes the object named: unrelated processes can open it by name
// until Unlink. Names are 1 to 200 letters, digits, '-', '_' and '.';
// creation fails with EEXIST if the name is taken.
func Name(name string) Option {
	return func(c *sharedConfig) { c.named, c.name = true, name }
}

// Named makes the object named under an unguessable name ("mproc-" and 32
// hex digits), which the object's Name method returns.
func Named() Option {
	return func(c *sharedConfig) { c.named, c.name = true, "" }
}

func (o Option) applyQueue(c *queueConfig) { o(&c.shared) }

// sharedOpts builds the C options for c and passes them to f; NULL for an
// anonymous object.
func sharedOpts(opts []Option, f func(o *C.mproc_shared_opts_t) error) error {
	var c sharedConfig
	for _, opt := range opts {
		opt(&c)
	}
	if !c.named {
		return f(nil)
	}
	var o *C.mproc_shared_opts_t
	if err := call(func() C.int { return C.mproc_shared_opts_new(&o) }); err != nil {
		return err
	}
	defer C.mproc_shared_opts_free(o)
	var err error
	if c.name == "" {
		err = call(func() C.int { return C.mproc_shared_opts_set_named(o, 1) })
	} else {
		cname := C.CString(c.name)
		defer C.free(unsafe.Pointer(cname))
		err = call(func() C.int { return C.mproc_shared_opts_set_name(o, cname) })
	}
	if err != nil {
		return err
	}
	return f(o)
}
