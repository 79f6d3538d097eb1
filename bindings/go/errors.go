package mproc

/*
#include <mproc/mproc.h>
*/
import "C"

import (
	"io"
	"io/fs"
)

// Error codes, with the names mproc_err_name gives them. The values come
// from the C header, so they cannot drift from the library's.
const (
	EPERM        = int(C.MPROC_EPERM)
	ENOENT       = int(C.MPROC_ENOENT)
	ESRCH        = int(C.MPROC_ESRCH)
	EINTR        = int(C.MPROC_EINTR)
	EIO          = int(C.MPROC_EIO)
	EBADF        = int(C.MPROC_EBADF)
	EAGAIN       = int(C.MPROC_EAGAIN)
	ENOMEM       = int(C.MPROC_ENOMEM)
	EACCES       = int(C.MPROC_EACCES)
	EBUSY        = int(C.MPROC_EBUSY)
	EEXIST       = int(C.MPROC_EEXIST)
	EINVAL       = int(C.MPROC_EINVAL)
	EMFILE       = int(C.MPROC_EMFILE)
	ENOSPC       = int(C.MPROC_ENOSPC)
	EPIPE        = int(C.MPROC_EPIPE)
	ERANGE       = int(C.MPROC_ERANGE)
	ENAMETOOLONG = int(C.MPROC_ENAMETOOLONG)
	EOVERFLOW    = int(C.MPROC_EOVERFLOW)
	ENOTSUP      = int(C.MPROC_ENOTSUP)
	ECONNRESET   = int(C.MPROC_ECONNRESET)
	ETIMEDOUT    = int(C.MPROC_ETIMEDOUT)
	EEMPTY       = int(C.MPROC_EEMPTY)
	EFULL        = int(C.MPROC_EFULL)
	ECLOSED      = int(C.MPROC_ECLOSED)
	EOF          = int(C.MPROC_EOF)
	ESTATE       = int(C.MPROC_ESTATE)
	ENOTFOUND    = int(C.MPROC_ENOTFOUND)
	ETOOBIG      = int(C.MPROC_ETOOBIG)
	EOWNERDEAD   = int(C.MPROC_EOWNERDEAD)
	EWORKER      = int(C.MPROC_EWORKER)
	EBROKEN      = int(C.MPROC_EBROKEN)
	ECORRUPT     = int(C.MPROC_ECORRUPT)
	ETYPE        = int(C.MPROC_ETYPE)
	EBOOTSTRAP   = int(C.MPROC_EBOOTSTRAP)
	ETASK        = int(C.MPROC_ETASK)
	EAUTH        = int(C.MPROC_EAUTH)
	EADDRINUSE   = int(C.MPROC_EADDRINUSE)
	ECONNREFUSED = int(C.MPROC_ECONNREFUSED)
	EINTERNAL    = int(C.MPROC_EINTERNAL)
)

// Error is a failed mproc call: Code is the negative MPROC_E* value, Name
// its symbol without prefix ("ETIMEDOUT"), Message the library's sentence
// about this particular failure.
//
// errors.Is compares codes, so errors.Is(err, ErrTimeout) holds for any
// timeout, a Queue's ErrEmpty and ErrFull included (one test for every
// blocking call that ran out of time). It also matches the standard library's equivalents where one
// exists: fs.ErrNotExist (ENOENT), fs.ErrExist (EEXIST), fs.ErrPermission
// (EPERM, EACCES), io.EOF (EOF).
type Error struct {
	Code    int
	Name    string
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "mproc: " + e.Name
	}
	return "mproc: " + e.Message + " (" + e.Name + ")"
}

// Is reports whether target names the same failure as e.
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Code == ENOENT
	case fs.ErrExist:
		return e.Code == EEXIST
	case fs.ErrPermission:
		return e.Code == EPERM || e.Code == EACCES
	case io.EOF:
		return e.Code == EOF
	}
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	// Every wait that ran out of time is a timeout, whatever the call:
	// a Queue's Get and Put report theirs as EEMPTY and EFULL (Python's
	// queue.Empty and queue.Full), which errors.Is also finds as
	// ErrTimeout.
	if t.Code == ETIMEDOUT && (e.Code == EEMPTY || e.Code == EFULL) {
		return true
	}
	return t.Code == e.Code
}

// Sentinels for errors.Is. Their messages are the codes' generic texts.
var (
	ErrTimeout      = codeError(ETIMEDOUT)
	ErrEmpty        = codeError(EEMPTY)
	ErrFull         = codeError(EFULL)
	ErrClosed       = codeError(ECLOSED)
	ErrEOF          = codeError(EOF)
	ErrTooBig       = codeError(ETOOBIG)
	ErrState        = codeError(ESTATE)
	ErrBusy         = codeError(EBUSY)
	ErrOwnerDead    = codeError(EOWNERDEAD)
	ErrBroken       = codeError(EBROKEN)
	ErrPipe         = codeError(EPIPE)
	ErrInvalid      = codeError(EINVAL)
	ErrNotSupported = codeError(ENOTSUP)
	ErrNotFound     = codeError(ENOTFOUND)
	ErrCorrupt      = codeError(ECORRUPT)
	ErrType         = codeError(ETYPE)
	ErrAuth         = codeError(EAUTH)
)

// codeError is an Error carrying only a code's generic description.
func codeError(code int) *Error {
	return &Error{
		Code:    code,
		Name:    C.GoString(C.mproc_err_name(C.int(code))),
		Message: C.GoString(C.mproc_strerror(C.int(code))),
	}
}

// lastError builds the Error of the failure that just happened on this OS
// thread; only call (which keeps the thread) may use it.
func lastError(code int) error {
	msg := C.GoString(C.mproc_last_error())
	if msg == "" {
		msg = C.GoString(C.mproc_strerror(C.int(code)))
	}
	return &Error{Code: code, Name: C.GoString(C.mproc_err_name(C.int(code))), Message: msg}
}

// bindingError is a failure the binding detects itself, before any C call.
func bindingError(code int, message string) error {
	e := codeError(code)
	e.Message = message
	return e
}

// hasCode reports whether err is an mproc failure with this code.
func hasCode(err error, code int) bool {
	e, ok := err.(*Error)
	return ok && e.Code == code
}
