// Descriptors on Windows. A descriptor `int` is a HANDLE value: kernel
// handles fit in 32 bits (Windows guarantees it so that 32- and 64-bit
// processes can share them), so the value travels in an int and is
// sign-extended back (INVALID_HANDLE_VALUE, -1, is then "none"); 0, 1 and
// 2 stand for the standard handles (pipe_table.hpp).
//
// What a descriptor can be waited on for depends on what it is:
// - a pipe end (pipe_table.hpp): readable once data or the end is there
//   (a zero-byte read completes), writable once no send is in flight;
// - a file or the NUL device: always ready, as poll() says of files;
// - a socket of the library's (sockets.hpp): readable once data, a
//   connection to accept or the end is there, writable once it has room;
// - anything else (a process, an event, a thread): ready once signalled,
//   so a process handle turns "readable" when the process has ended, as a
//   pidfd does.
#include <winsock2.h>
#include <windows.h>

#include <mproc/common.h>

#include <string>

#include "pipe_table.hpp"
#include "sockets.hpp"
#include "user_fd.hpp"
#include "platform/error.hpp"
#include "platform/fd.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace {

using winproc::handle_of_fd;
using winproc::pipe_of;

bool is_file_like(HANDLE h) noexcept {
  DWORD type = GetFileType(h);
  return type == FILE_TYPE_DISK || type == FILE_TYPE_CHAR;
}

// What a wait on `w` waits for: null when it is ready now.
HANDLE wait_handle(const FdWait& w) {
  if (winproc::is_socket_fd(w.fd))
    return winproc::socket_wait_event(w.fd, w.want == IoWant::kRead);
  if (auto pipe = pipe_of(w.fd))
    return w.want == IoWant::kRead ? pipe->readable_event() : pipe->writable_event();
  HANDLE h = handle_of_fd(w.fd);
  if (is_file_like(h)) return nullptr;
  DWORD flags;
  if (!GetHandleInformation(h, &flags))
    fail(MPROC_EBADF, "descriptor " + std::to_string(w.fd) + " is not open");
  return WaitForSingleObject(h, 0) == WAIT_TIMEOUT ? h : nullptr;
}

[[noreturn]] void fail_not_open(int fd) {
  fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
}

}  // namespace

void UniqueFd::reset(int fd) noexcept {
  int old = std::exchange(fd_, fd);
  if (old < 0) return;
  forget_user_fd(old);
  if (winproc::close_registered(old)) return;
  if (winproc::close_socket_fd(old)) return;
  CloseHandle(handle_of_fd(old));
}

// Windows has no descriptor numbers to choose: `min_fd` has no meaning
// and is ignored. The copy is not inheritable (the close-on-exec of
// Windows: only handles in a child's explicit list reach it anyway). A
// copy of a pipe end is a pipe end of its own in the table, sharing the
// pipe but not the state of steps in flight.
UniqueFd dup_cloexec(int fd, int) {
  // Winsock wants its sockets copied its own way (sockets.hpp).
  if (winproc::is_socket_fd(fd))
    return UniqueFd(winproc::copy_socket(reinterpret_cast<SOCKET>(handle_of_fd(fd))));
  HANDLE copy = nullptr;
  if (fd < 0 || !DuplicateHandle(GetCurrentProcess(), handle_of_fd(fd), GetCurrentProcess(),
                                 &copy, 0, FALSE, DUPLICATE_SAME_ACCESS))
    fail_win32("cannot duplicate descriptor " + std::to_string(fd),
               fd < 0 ? ERROR_INVALID_HANDLE : GetLastError());
  return UniqueFd(winproc::fd_of_handle(copy));
}

// Every pipe end mproc makes is overlapped already: its steps never block
// and its waits take deadlines, so there is nothing to switch.
void set_nonblocking(int fd, bool) {
  if (!fd_is_open(fd)) fail_not_open(fd);
}

void set_cloexec(int fd) noexcept {
  if (fd >= 0) SetHandleInformation(handle_of_fd(fd), HANDLE_FLAG_INHERIT, 0);
}

bool fd_is_open(int fd) noexcept {
  DWORD flags;
  return fd >= 0 && GetHandleInformation(handle_of_fd(fd), &flags) != 0;
}

size_t wait_any(FdWait* items, size_t n, const Deadline& deadline) {
  if (n > MAXIMUM_WAIT_OBJECTS)
    fail(MPROC_EINVAL, "wait_any: at most " + std::to_string(MAXIMUM_WAIT_OBJECTS) +
                           " descriptors on Windows");
  for (;;) {
    HANDLE handles[MAXIMUM_WAIT_OBJECTS];
    size_t count = 0;
    size_t ready = 0;
    for (size_t i = 0; i < n; ++i) {
      HANDLE h = wait_handle(items[i]);
      items[i].ready = h == nullptr;
      if (h == nullptr)
        ++ready;
      else
        handles[count++] = h;
    }
    if (ready > 0) return ready;
    // A wake-up that left nothing ready (a socket's event can be signalled
    // for the other direction) must not outlast the deadline.
    if (deadline.expired()) return 0;
    if (count == 0) {  // nothing to wait for: only the deadline
      if (deadline.forever()) fail(MPROC_EINVAL, "wait_any: nothing to wait for, forever");
      while (!deadline.expired()) Sleep(winproc::wait_ms(deadline));
      return 0;
    }
    // Something was signalled: the next turn finds out what became ready
    // (a finished probe, a finished write, an ended process).
    if (winproc::wait_any(handles, count, deadline) < 0) return 0;
  }
}

bool wait_fd(int fd, IoWant want, const Deadline& deadline) {
  FdWait w{fd, want, false};
  return wait_any(&w, 1, deadline) > 0;
}

bool readable_now(int fd) {
  FdWait w{fd, IoWant::kRead, false};
  return wait_handle(w) == nullptr;
}

std::ptrdiff_t read_nowait(int fd, void* data, size_t len) {
  if (auto pipe = pipe_of(fd)) {
    long long n = pipe->recv_nowait(data, len);
    return n < 0 ? kWouldBlock : static_cast<std::ptrdiff_t>(n);
  }
  DWORD got = 0;
  DWORD want = len > MAXDWORD ? MAXDWORD : static_cast<DWORD>(len);
  if (!ReadFile(handle_of_fd(fd), data, want, &got, nullptr)) {
    DWORD err = GetLastError();
    if (err == ERROR_BROKEN_PIPE || err == ERROR_HANDLE_EOF) return 0;
    fail_win32("read from descriptor " + std::to_string(fd), err);
  }
  return static_cast<std::ptrdiff_t>(got);
}

std::ptrdiff_t write_nowait(int fd, const void* data, size_t len) {
  if (auto pipe = pipe_of(fd)) {
    if (len == 0) return 0;
    size_t n = pipe->send_nowait(data, len, nullptr, 0, 0);
    return n == 0 ? kWouldBlock : static_cast<std::ptrdiff_t>(n);
  }
  DWORD put = 0;
  DWORD want = len > MAXDWORD ? MAXDWORD : static_cast<DWORD>(len);
  if (!WriteFile(handle_of_fd(fd), data, want, &put, nullptr)) {
    DWORD err = GetLastError();
    if (err == ERROR_BROKEN_PIPE || err == ERROR_NO_DATA)
      fail(MPROC_EPIPE, "write to descriptor " + std::to_string(fd) + ": the reader is gone");
    fail_win32("write to descriptor " + std::to_string(fd), err);
  }
  return static_cast<std::ptrdiff_t>(put);
}

bool write_all(int fd, const void* data, size_t len, const Deadline& deadline,
               size_t* written) {
  if (auto pipe = pipe_of(fd)) return pipe->write_all(data, len, deadline, written);
  // A file or device: its writes complete (or fail) without waiting.
  size_t done = 0;
  try {
    while (done < len) done += static_cast<size_t>(
        write_nowait(fd, static_cast<const char*>(data) + done, len - done));
  } catch (...) {
    if (written != nullptr) *written = done;
    throw;
  }
  if (written != nullptr) *written = done;
  return true;
}

bool read_exact(int fd, void* data, size_t len, const Deadline& deadline, size_t* got) {
  if (auto pipe = pipe_of(fd)) return pipe->read_exact(data, len, deadline, got);
  size_t done = 0;
  while (done < len) {
    std::ptrdiff_t n = read_nowait(fd, static_cast<char*>(data) + done, len - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (got != nullptr) *got = done;
  return done == len;
}

}  // namespace mproc::platform
