package mproc

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunCapture(t *testing.T) {
	res := must(Run([]string{"sh", "-c", "cat; echo oops >&2; exit 3"}, []byte("hello\n"), 30*time.Second))(t)
	if string(res.Stdout) != "hello\n" || string(res.Stderr) != "oops\n" || res.ExitCode != 3 {
		t.Fatalf("Run = stdout %q, stderr %q, exit %d", res.Stdout, res.Stderr, res.ExitCode)
	}
}

func TestRunLargeOutputOnBothStreams(t *testing.T) {
	// More than a pipe holds on each stream: neither may stall the other.
	script := "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"
	res := must(Run([]string{"sh", "-c", script}, nil, 60*time.Second))(t)
	if len(res.Stdout) != 300000 || len(res.Stderr) != 200000 || res.ExitCode != 0 {
		t.Fatalf("got %d and %d bytes, exit %d", len(res.Stdout), len(res.Stderr), res.ExitCode)
	}
}

func TestRunWithOptions(t *testing.T) {
	dir := t.TempDir()
	res := must(RunWithOptions([]string{"sh", "-c", `pwd; echo "$GREETING"; echo "${HOME-unset}"`}, nil, 30*time.Second,
		&CommandOptions{Dir: dir, Env: []string{"GREETING=hi", "PATH=" + os.Getenv("PATH")}}))(t)
	want := dir + "\nhi\nunset\n"
	if string(res.Stdout) != want {
		t.Fatalf("stdout %q, want %q", res.Stdout, want)
	}
}

func TestRunErrors(t *testing.T) {
	_, err := Run([]string{"/nonexistent/mproc-go-no-such-program"}, nil, 30*time.Second)
	var e *Error
	if !errors.As(err, &e) || e.Code != ENOENT || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing program: %v", err)
	}
	if !strings.Contains(e.Message, "mproc-go-no-such-program") {
		t.Fatalf("the message does not name the program: %q", e.Message)
	}
	start := time.Now()
	_, err = Run([]string{"sleep", "30"}, nil, 100*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || time.Since(start) > 100*time.Millisecond+slack {
		t.Fatalf("overlong command: %v after %v", err, time.Since(start))
	}
	if _, err := Run(nil, nil, time.Second); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty argv: %v", err)
	}
}

func TestCommandPipes(t *testing.T) {
	c := must(NewCommand([]string{"sh", "-c", "tr a-z A-Z; echo done >&2"}, &CommandOptions{
		Stdin:  Stdio{Mode: StdioPipe},
		Stdout: Stdio{Mode: StdioPipe},
		Stderr: Stdio{Mode: StdioPipe},
	}))(t)
	defer c.Close()
	ok(t, c.Start())
	if err := c.Start(); !errors.Is(err, ErrState) {
		t.Fatalf("second Start: %v", err)
	}
	if pid := must(c.Pid())(t); pid <= 0 {
		t.Fatalf("Pid = %d", pid)
	}
	n := must(c.Write([]byte("shout\n"), Forever))(t)
	if n != 6 {
		t.Fatalf("wrote %d bytes", n)
	}
	ok(t, c.CloseStdin())
	out := must(io.ReadAll(c.Reader(Stdout)))(t)
	errOut := must(io.ReadAll(c.Reader(Stderr)))(t)
	if string(out) != "SHOUT\n" || string(errOut) != "done\n" {
		t.Fatalf("stdout %q, stderr %q", out, errOut)
	}
	ok(t, c.Join(30*time.Second))
	if code := must(c.ExitCode())(t); code != 0 {
		t.Fatalf("ExitCode = %d", code)
	}
	if alive := must(c.Alive())(t); alive {
		t.Fatal("Alive after Join")
	}
}

func TestCommandKill(t *testing.T) {
	c := must(NewCommand([]string{"sh", "-c", "echo started; exec sleep 30"}, &CommandOptions{
		Stdin:  Stdio{Mode: StdioNull},
		Stdout: Stdio{Mode: StdioPipe},
	}))(t)
	defer c.Close()
	ok(t, c.Start())
	// Once it has written, it is surely running (sleeping, soon).
	buf := make([]byte, 64)
	n := must(c.Read(Stdout, buf, 30*time.Second))(t)
	if string(buf[:n]) != "started\n" {
		t.Fatalf("read %q", buf[:n])
	}
	if err := c.Join(0); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Join(0) on a running command: %v", err)
	}
	if _, err := c.ExitCode(); !errors.Is(err, ErrState) {
		t.Fatalf("ExitCode while running: %v", err)
	}
	ok(t, c.Kill())
	ok(t, c.Join(30*time.Second))
	if code := must(c.ExitCode())(t); code != -9 {
		t.Fatalf("ExitCode after SIGKILL = %d, want -9", code)
	}
}

func TestCommandFiles(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	ok(t, os.WriteFile(in, []byte("from a file\n"), 0o644))
	ok(t, os.WriteFile(out, []byte("kept\n"), 0o644))
	c := must(NewCommand([]string{"sh", "-c", "cat; echo to-stderr >&2"}, &CommandOptions{
		Stdin:  Stdio{Mode: StdioFile, Path: in},
		Stdout: Stdio{Mode: StdioFile, Path: out, Append: true},
		Stderr: Stdio{Mode: StdioToStdout},
	}))(t)
	defer c.Close()
	ok(t, c.Start())
	ok(t, c.Join(30*time.Second))
	if code := must(c.ExitCode())(t); code != 0 {
		t.Fatalf("ExitCode = %d", code)
	}
	if data := must(os.ReadFile(out))(t); string(data) != "kept\nfrom a file\nto-stderr\n" {
		t.Fatalf("the file holds %q", data)
	}
}

func TestCommandExtraFiles(t *testing.T) {
	r, w, err := os.Pipe()
	ok(t, err)
	defer r.Close()
	res, err := RunWithOptions([]string{"sh", "-c", "echo via-fd3 >&3"}, nil, 30*time.Second,
		&CommandOptions{ExtraFiles: []*os.File{w}})
	w.Close()
	ok(t, err)
	if res.ExitCode != 0 {
		t.Fatalf("exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
	got := must(io.ReadAll(r))(t)
	if string(got) != "via-fd3\n" {
		t.Fatalf("fd 3 carried %q", got)
	}
}
