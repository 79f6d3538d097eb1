package mproc

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

func TestErrorCarriesCodeNameAndMessage(t *testing.T) {
	_, err := OpenQueue("mproc-gotest-no-such-queue")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("OpenQueue of a missing name: %T %v", err, err)
	}
	if e.Code != ENOENT || e.Name != "ENOENT" {
		t.Fatalf("Code %d Name %q, want %d ENOENT", e.Code, e.Name, ENOENT)
	}
	// The message is the library's detailed one, read on the failing
	// thread, not the code's generic text.
	if !strings.Contains(e.Message, "mproc-gotest-no-such-queue") {
		t.Fatalf("Message %q does not name the object", e.Message)
	}
	if !strings.Contains(err.Error(), e.Message) || !strings.Contains(err.Error(), "ENOENT") {
		t.Fatalf("Error() = %q", err.Error())
	}
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrExist) || errors.Is(err, ErrTimeout) {
		t.Fatal("errors.Is matches the wrong things")
	}
	if ErrEOF.Code != EOF || !errors.Is(ErrEOF, io.EOF) || ErrTimeout.Name != "ETIMEDOUT" {
		t.Fatal("sentinels are wrong")
	}
	wrapped := fmt.Errorf("context: %w", err)
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Fatal("errors.Is does not see through wrapping")
	}
}

// Failures on many goroutines at once each get their own message: the
// message is read on the OS thread of the failing call.
func TestErrorMessagesPerGoroutine(t *testing.T) {
	err := run(16, func(i int) error {
		name := fmt.Sprintf("mproc-gotest-missing-%d", i)
		for j := 0; j < 50; j++ {
			_, err := OpenLock(name)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Message, name) {
				return fmt.Errorf("goroutine %d got %v", i, err)
			}
		}
		return nil
	})
	ok(t, err)
}

func TestTimeoutConversion(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want int64
	}{
		{Forever, -1}, {-time.Hour, -1}, {0, 0}, {time.Nanosecond, 1},
		{time.Millisecond, 1}, {1500 * time.Microsecond, 2}, {2 * time.Second, 2000},
		{1<<63 - 1, (1<<63-1)/1000000 + 1},
	}
	for _, c := range cases {
		if got := int64(millis(c.in)); got != c.want {
			t.Errorf("millis(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestVersionAndCPUCount(t *testing.T) {
	if v := Version(); v == "" || !strings.Contains(v, ".") {
		t.Fatalf("Version = %q", v)
	}
	if n := VersionNumber(); n <= 0 {
		t.Fatalf("VersionNumber = %d", n)
	}
	if n := CPUCount(); n < 1 {
		t.Fatalf("CPUCount = %d", n)
	}
}
