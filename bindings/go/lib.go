package mproc

/*
#cgo pkg-config: mproc
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Forever as a timeout waits without limit; so does any negative duration.
const Forever time.Duration = -1

// call runs f, which makes exactly one fallible mproc call, and turns a
// negative result into an *Error. The goroutine stays on one OS thread
// from the call to the read of mproc_last_error, which is thread-local:
// without that, the runtime could move the goroutine between the two cgo
// calls and the message would be another thread's (or nothing).
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := f(); rc < 0 {
		return lastError(int(rc))
	}
	return nil
}

// millis converts a timeout to mproc's milliseconds.
func millis(d time.Duration) C.int64_t {
	if d < 0 {
		return -1
	}
	ms := d / time.Millisecond
	if d%time.Millisecond != 0 {
		// Rounding down would make 0.5ms mean "never block".
		ms++
	}
	return C.int64_t(ms)
}

// bytesPtr is the address to hand C for data, which may be empty: &b[0]
// would panic for an empty slice, and mproc accepts NULL when the length
// is 0.
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// goBytes copies n bytes of C memory into a new Go slice, never nil so
// that an empty message is distinguishable from no message.
func goBytes(p unsafe.Pointer, n C.size_t) []byte {
	b := make([]byte, int(n))
	if n > 0 {
		copy(b, unsafe.Slice((*byte)(p), int(n)))
	}
	return b
}

// takeMsg copies a received message into Go memory and frees it.
func takeMsg(m *C.mproc_msg_t) []byte {
	defer C.mproc_msg_free(m)
	var data unsafe.Pointer
	var size C.size_t
	// Neither query fails on a live message.
	if C.mproc_msg_data(m, &data) != 0 || C.mproc_msg_size(m, &size) != 0 {
		return []byte{}
	}
	return goBytes(data, size)
}

// cName reads a handle's name through its C *_name query, which fills an
// out-parameter with a string the handle owns: "" if the query fails
// (it cannot for a live handle).
func cName(query func(name **C.char) C.int) string {
	var n *C.char
	if query(&n) != 0 {
		return ""
	}
	return C.GoString(n)
}

// Version is the version of the loaded C library, e.g. "0.1.0".
func Version() string { return C.GoString(C.mproc_version_string()) }

// VersionNumber is the loaded library's version as major*10000 +
// minor*100 + patch.
func VersionNumber() int { return int(C.mproc_version()) }

// CPUCount is the number of CPUs this process may run on (its affinity
// mask, unlike runtime.NumCPU on old kernels), at least 1.
func CPUCount() int { return int(C.mproc_cpu_count()) }

// Unlink removes the name of a named object (queue, lock, shared memory,
// ...). Processes that have it open keep using it; nobody can open it any
// more, and its memory goes with its last user.
func Unlink(name string) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return call(func() C.int { return C.mproc_unlink(cname) })
}
