package mproc

/*
#include <stdlib.h>
#include <mproc/mproc.h>
*/
import "C"

import (
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// StdioMode says where a command's standard stream goes.
type StdioMode int

const (
	StdioInherit  StdioMode = C.MPROC_STDIO_INHERIT // this process's own stream
	StdioNull     StdioMode = C.MPROC_STDIO_NULL    // /dev/null
	StdioPipe     StdioMode = C.MPROC_STDIO_PIPE    // Command.Write / Command.Read
	StdioFile     StdioMode = C.MPROC_STDIO_FILE    // the file at Stdio.Path
	StdioToStdout StdioMode = C.MPROC_STDIO_STDOUT  // stderr only: wherever stdout goes
)

// Stdio configures one standard stream. The zero value inherits.
type Stdio struct {
	Mode StdioMode
	// Path is the file for StdioFile: read for stdin; for stdout and
	// stderr created (mode 0644) and truncated, or appended to with Append.
	Path   string
	Append bool
}

// CommandOptions configures Run and NewCommand. The zero value runs the
// program with this process's directory, environment and streams.
type CommandOptions struct {
	Dir string // working directory; "" for this process's
	// Env, when non-nil, replaces the environment with these "NAME=value"
	// entries, as in os/exec. PATH lookup of argv[0] uses it.
	Env                   []string
	Stdin, Stdout, Stderr Stdio
	// ExtraFiles become descriptors 3, 4, ... of the command; every other
	// descriptor is closed there.
	ExtraFiles []*os.File
	// NewGroup makes the command lead a new process group, so that
	// Terminate and Kill reach its children too.
	NewGroup bool
}

// Stream names one of a command's output streams.
type Stream int

const (
	Stdout Stream = C.MPROC_STDOUT
	Stderr Stream = C.MPROC_STDERR
)

// cArgv is a NULL-terminated C copy of an argument vector. It lives in Go
// memory, which is allowed because it holds only C pointers.
type cArgv []*C.char

func newCArgv(argv []string) cArgv {
	a := make(cArgv, len(argv)+1)
	for i, s := range argv {
		a[i] = C.CString(s)
	}
	return a
}

func (a cArgv) ptr() **C.char { return &a[0] }

func (a cArgv) free() {
	for _, p := range a {
		C.free(unsafe.Pointer(p))
	}
}

// build makes the C options; nil for nil o. Free with
// mproc_command_opts_free, which accepts NULL.
func (o *CommandOptions) build() (*C.mproc_command_opts_t, error) {
	if o == nil {
		return nil, nil
	}
	var co *C.mproc_command_opts_t
	if err := call(func() C.int { return C.mproc_command_opts_new(&co) }); err != nil {
		return nil, err
	}
	err := o.apply(co)
	if err != nil {
		C.mproc_command_opts_free(co)
		return nil, err
	}
	return co, nil
}

func (o *CommandOptions) apply(co *C.mproc_command_opts_t) error {
	withCString := func(s string, f func(*C.char) C.int) error {
		cs := C.CString(s)
		defer C.free(unsafe.Pointer(cs))
		return call(func() C.int { return f(cs) })
	}
	if o.Dir != "" {
		if err := withCString(o.Dir, func(d *C.char) C.int { return C.mproc_command_opts_set_cwd(co, d) }); err != nil {
			return err
		}
	}
	if o.Env != nil {
		if err := call(func() C.int { return C.mproc_command_opts_env_clear(co) }); err != nil {
			return err
		}
		for _, kv := range o.Env {
			name, value, ok := strings.Cut(kv, "=")
			if !ok || name == "" {
				return bindingError(EINVAL, "CommandOptions.Env: "+kv+" is not NAME=value")
			}
			cvalue := C.CString(value)
			err := withCString(name, func(n *C.char) C.int { return C.mproc_command_opts_env_set(co, n, cvalue) })
			C.free(unsafe.Pointer(cvalue))
			if err != nil {
				return err
			}
		}
	}
	for which, s := range []Stdio{o.Stdin, o.Stdout, o.Stderr} {
		w := C.int(which)
		var err error
		switch s.Mode {
		case StdioInherit:
		case StdioFile:
			app := C.int(0)
			if s.Append {
				app = 1
			}
			err = withCString(s.Path, func(p *C.char) C.int { return C.mproc_command_opts_set_stdio_file(co, w, p, app) })
		default:
			err = call(func() C.int { return C.mproc_command_opts_set_stdio(co, w, C.mproc_stdio_t(s.Mode)) })
		}
		if err != nil {
			return err
		}
	}
	for i, f := range o.ExtraFiles {
		fd := C.int(f.Fd())
		err := call(func() C.int { return C.mproc_command_opts_pass_fd(co, C.int(3+i), fd) })
		// The options hold a duplicate; f may be closed from here on.
		runtime.KeepAlive(f)
		if err != nil {
			return err
		}
	}
	if o.NewGroup {
		if err := call(func() C.int { return C.mproc_command_opts_set_new_group(co, 1) }); err != nil {
			return err
		}
	}
	return nil
}

// Result is what Run captured from a command that ran to completion.
type Result struct {
	Stdout, Stderr []byte
	// ExitCode is the exit status, or -N if signal N ended the command. A
	// non-zero status is not an error of Run.
	ExitCode int
}

// Run runs argv to completion and captures its stdout and stderr. input
// is written to its stdin, then closed; with no input, stdin is /dev/null.
// argv[0] without a '/' is looked up in PATH. Errors: those of starting
// the program (fs.ErrNotExist for a missing executable, ...), and
// ErrTimeout when it runs past timeout (it is then killed).
func Run(argv []string, input []byte, timeout time.Duration) (*Result, error) {
	return RunWithOptions(argv, input, timeout, nil)
}

// RunWithOptions is Run with options; their Stdout and Stderr are replaced
// by capture pipes.
func RunWithOptions(argv []string, input []byte, timeout time.Duration, opts *CommandOptions) (*Result, error) {
	co, err := opts.build()
	if err != nil {
		return nil, err
	}
	defer C.mproc_command_opts_free(co)
	a := newCArgv(argv)
	defer a.free()
	var captured *C.mproc_capture_t
	err = call(func() C.int {
		return C.mproc_command_capture(a.ptr(), co, bytesPtr(input), C.size_t(len(input)), millis(timeout),
			&captured)
	})
	if err != nil {
		return nil, err
	}
	defer C.mproc_capture_free(captured)
	var code C.int
	if err := call(func() C.int { return C.mproc_capture_exitcode(captured, &code) }); err != nil {
		return nil, err
	}
	var out, errOut *C.char
	var outLen, errLen C.size_t
	if err := call(func() C.int { return C.mproc_capture_stdout(captured, &out, &outLen) }); err != nil {
		return nil, err
	}
	if err := call(func() C.int { return C.mproc_capture_stderr(captured, &errOut, &errLen) }); err != nil {
		return nil, err
	}
	return &Result{
		Stdout:   goBytes(unsafe.Pointer(out), outLen),
		Stderr:   goBytes(unsafe.Pointer(errOut), errLen),
		ExitCode: int(code),
	}, nil
}

// Command is another program run under this process's control (the parts
// of Python's subprocess.Popen that multiprocessing programs need).
// Joining waits for the process only, not for its pipes to close.
type Command struct {
	h handle
}

// NewCommand prepares argv; Start runs it.
func NewCommand(argv []string, opts *CommandOptions) (*Command, error) {
	co, err := opts.build()
	if err != nil {
		return nil, err
	}
	defer C.mproc_command_opts_free(co)
	a := newCArgv(argv)
	defer a.free()
	var c *C.mproc_command_t
	if err := call(func() C.int { return C.mproc_command_new(&c, a.ptr(), co) }); err != nil {
		return nil, err
	}
	w := &Command{}
	w.h.init("command", unsafe.Pointer(c), func(p unsafe.Pointer) { C.mproc_command_free(cmdp(p)) })
	runtime.SetFinalizer(w, func(w *Command) { w.h.close() })
	return w, nil
}

func cmdp(p unsafe.Pointer) *C.mproc_command_t { return (*C.mproc_command_t)(p) }

// Start starts the program. Errors: ErrState (started already),
// fs.ErrNotExist (no such executable), fs.ErrPermission, ...
func (c *Command) Start() error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_start(cmdp(p)) })
}

// Write writes to the command's stdin pipe, waiting up to timeout for
// room; on ErrTimeout n may be less than len(data). ErrPipe: the command
// closed its stdin.
func (c *Command) Write(data []byte, timeout time.Duration) (n int, err error) {
	var written C.size_t
	err = c.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_command_write(cmdp(p), bytesPtr(data), C.size_t(len(data)), &written, millis(timeout))
	})
	return int(written), err
}

// CloseStdin closes the stdin pipe, so the command sees end of input.
func (c *Command) CloseStdin() error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_close_stdin(cmdp(p)) })
}

// Read reads what is available (at least one byte) from the stdout or
// stderr pipe, waiting up to timeout. ErrEOF (also io.EOF to errors.Is)
// when every writer closed the pipe.
func (c *Command) Read(s Stream, buf []byte, timeout time.Duration) (n int, err error) {
	if len(buf) == 0 {
		return 0, nil
	}
	var got C.size_t
	err = c.h.do(func(p unsafe.Pointer) C.int {
		return C.mproc_command_read(cmdp(p), C.int(s), bytesPtr(buf), C.size_t(len(buf)), &got, millis(timeout))
	})
	return int(got), err
}

// Reader is an io.Reader over the stdout or stderr pipe, blocking without
// limit, that ends with io.EOF itself as io.Copy and io.ReadAll expect.
func (c *Command) Reader(s Stream) io.Reader { return streamReader{c, s} }

type streamReader struct {
	c *Command
	s Stream
}

func (r streamReader) Read(buf []byte) (int, error) {
	n, err := r.c.Read(r.s, buf, Forever)
	if hasCode(err, EOF) {
		return n, io.EOF
	}
	return n, err
}

// Join waits up to timeout for the process to end: nil, or ErrTimeout.
func (c *Command) Join(timeout time.Duration) error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_join(cmdp(p), millis(timeout)) })
}

// Alive reports whether the process runs.
func (c *Command) Alive() (bool, error) {
	var v C.int
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_is_alive(cmdp(p), &v) })
	return v != 0, err
}

// Terminate sends SIGTERM (to the group, with NewGroup).
func (c *Command) Terminate() error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_terminate(cmdp(p)) })
}

// Kill sends SIGKILL (to the group, with NewGroup).
func (c *Command) Kill() error {
	return c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_kill(cmdp(p)) })
}

// Pid is the process id of the started command.
func (c *Command) Pid() (int, error) {
	var pid C.int64_t
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_pid(cmdp(p), &pid) })
	return int(pid), err
}

// ExitCode is the exit status, or -N if signal N ended the command.
// ErrState while it runs.
func (c *Command) ExitCode() (int, error) {
	var code C.int
	err := c.h.do(func(p unsafe.Pointer) C.int { return C.mproc_command_exitcode(cmdp(p), &code) })
	return int(code), err
}

// Close releases the handle. A command still running goes on and is
// reaped in the background.
func (c *Command) Close() error {
	runtime.SetFinalizer(c, nil)
	c.h.close()
	return nil
}
