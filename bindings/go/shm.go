package mproc

/*
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// SharedMemory is a block of zero-filled bytes that every process having
// it sees at once (Python's shared_memory.SharedMemory), with a lock of
// its own for guarding what it holds. The bytes are the caller's to guard.
type SharedMemory struct {
	h    handle
	name string
	data []byte
}

// NewSharedMemory creates a block of size bytes (at least 1). Pages cost
// memory only once touched.
func NewSharedMemory(size int, opts ...Option) (*SharedMemory, error) {
	if size < 1 {
		return nil, bindingError(EINVAL, "NewSharedMemory: size must be at least 1")
	}
	var s *C.mproc_shm_t
	err := sharedOpts(opts, func(o *C.mproc_shared_opts_t) error {
		return call(func() C.int { return C.mproc_shm_new(&s, C.size_t(size), o) })
	})
	if err != nil {
		return nil, err
	}
	return wrapShm(s), nil
}

// OpenSharedMemory opens a named block.
func OpenSharedMemory(name string) (*SharedMemory, error) {
	var s *C.mproc_shm_t
	if err := openByName(name, func(n *C.char) C.int { return C.mproc_shm_open(&s, n) }); err != nil {
		return nil, err
	}
	return wrapShm(s), nil
}

func wrapShm(s *C.mproc_shm_t) *SharedMemory {
	w := &SharedMemory{name: cName(func(n **C.char) C.int { return C.mproc_shm_name(s, n) })}
	var size C.size_t
	var data unsafe.Pointer
	// Neither query fails on a live block.
	if C.mproc_shm_size(s, &size) == 0 && C.mproc_shm_data(s, &data) == 0 && size > 0 {
		w.data = unsafe.Slice((*byte)(data), int(size))
	}
	w.h.init("shared memory", unsafe.Pointer(s), func(p unsafe.Pointer) { C.mproc_shm_free((*C.mproc_shm_t)(p)) })
	runtime.SetFinalizer(w, func(w *SharedMemory) { w.h.close() })
	return w
}

// Name is the name of a named block, "" for an anonymous one.
func (s *SharedMemory) Name() string { return s.name }

// Size is the size asked for at creation.
func (s *SharedMemory) Size() int { return len(s.data) }

// Bytes is the block itself, not a copy: writes are seen by every process
// at once. The slice is valid until Close, and it does not keep the
// SharedMemory alive: touching it after Close, or after the SharedMemory
// became unreachable and its finalizer ran, is a use of unmapped memory
// and crashes the program. Keep the SharedMemory in use (defer s.Close())
// for as long as the slice is. Bytes returns nil after Close.
func (s *SharedMemory) Bytes() []byte {
	var b []byte
	if s.h.with(func(unsafe.Pointer) { b = s.data }) != nil {
		return nil
	}
	return b
}

// Lock returns the block's own lock as a new handle (the same lock in
// every process that has the block); close it separately.
func (s *SharedMemory) Lock() (*Lock, error) {
	var l *C.mproc_lock_t
	err := s.h.do(func(p unsafe.Pointer) C.int { return C.mproc_shm_lock((*C.mproc_shm_t)(p), &l) })
	if err != nil {
		return nil, err
	}
	return wrapLock(l), nil
}

// Close releases this handle and unmaps the block from this process: every
// slice Bytes returned becomes invalid. The block lives on in other
// processes.
func (s *SharedMemory) Close() error {
	runtime.SetFinalizer(s, nil)
	s.h.close()
	return nil
}
