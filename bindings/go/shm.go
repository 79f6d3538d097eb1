package mproc

/*
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mproc/mproc.h>

// A second mapping of the same shared pages as the library's block
// (mremap with old size 0 duplicates a shared mapping): Go's slices point
// into it, so that Close can replace it without touching the library's
// own mapping. *base and *len get the page-aligned alias; NULL on failure.
static void *mproc_go_alias(void *data, size_t size, void **base, size_t *len) {
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)data & ~(page - 1);
  size_t off = (uintptr_t)data - start;
  size_t n = (off + size + page - 1) & ~(page - 1);
  void *alias = mremap((void *)start, 0, n, MREMAP_MAYMOVE);
  if (alias == MAP_FAILED) return NULL;
  *base = alias;
  *len = n;
  return (char *)alias + off;
}

// Replaces the alias, in place and atomically, by private zero pages: a
// slice still held after Close reads zeros and writes where nobody sees,
// instead of faulting on unmapped memory. Returns 0 or -1.
static int mproc_go_detach(void *base, size_t len) {
  void *p = mmap(base, len, PROT_READ | PROT_WRITE,
                 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? -1 : 0;
}
*/
import "C"

import (
	"io"
	"runtime"
	"sync"
	"unsafe"
)

// SharedMemory is a block of zero-filled bytes that every process having
// it sees at once (Python's shared_memory.SharedMemory), with a lock of
// its own for guarding what it holds. The bytes are the caller's to guard.
type SharedMemory struct {
	h    handle
	name string
	data []byte
	// The mapping data points into when it is this binding's alias (see
	// mproc_go_alias); nil when it is the library's own.
	alias     unsafe.Pointer
	aliasLen  C.size_t
	closeOnce sync.Once
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
		if a := C.mproc_go_alias(data, size, &w.alias, &w.aliasLen); a != nil {
			data = a
		}
		w.data = unsafe.Slice((*byte)(data), int(size))
	}
	w.h.init("shared memory", unsafe.Pointer(s), func(p unsafe.Pointer) { C.mproc_shm_free((*C.mproc_shm_t)(p)) })
	runtime.SetFinalizer(w, func(w *SharedMemory) { _ = w.Close() })
	return w
}

// Name is the name of a named block, "" for an anonymous one.
func (s *SharedMemory) Name() string { return s.name }

// Size is the size asked for at creation.
func (s *SharedMemory) Size() int { return len(s.data) }

// Bytes is the block itself, not a copy: writes are seen by every process
// at once, until Close. The slice does not keep the SharedMemory alive:
// keep it in use (defer s.Close()) for as long as the slice is. After
// Close (or once the SharedMemory became unreachable and its finalizer
// ran), a slice still held is detached from the block: it reads zeros and
// its writes reach no one, but it never faults. Bytes returns nil after
// Close; ReadAt and WriteAt return ErrClosed.
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

// ReadAt copies bytes of the block from offset off (io.ReaderAt). Unlike
// a slice from Bytes it reports use after Close: ErrClosed.
func (s *SharedMemory) ReadAt(p []byte, off int64) (int, error) {
	return s.transfer(p, off, func(block []byte) int { return copy(p, block) })
}

// WriteAt copies p into the block at offset off (io.WriterAt); ErrClosed
// after Close.
func (s *SharedMemory) WriteAt(p []byte, off int64) (int, error) {
	return s.transfer(p, off, func(block []byte) int { return copy(block, p) })
}

func (s *SharedMemory) transfer(p []byte, off int64, move func([]byte) int) (n int, err error) {
	if off < 0 || off > int64(len(s.data)) {
		return 0, bindingError(EINVAL, "SharedMemory: offset out of range")
	}
	// Borrowing the handle keeps Close from detaching the block mid-copy.
	if err = s.h.with(func(unsafe.Pointer) { n = move(s.data[off:]) }); err != nil {
		return 0, err
	}
	if n < len(p) {
		err = io.EOF
	}
	return n, err
}

// Close releases this handle. The block lives on in other processes (and
// in other handles of this one); in this handle it is gone: see Bytes for
// slices still held.
func (s *SharedMemory) Close() error {
	runtime.SetFinalizer(s, nil)
	s.h.close()
	s.closeOnce.Do(func() {
		// The alias is never unmapped (slices may still point into it);
		// should detaching fail, it stays a view of the block instead.
		if s.alias != nil {
			C.mproc_go_detach(s.alias, s.aliasLen)
		}
	})
	return nil
}
