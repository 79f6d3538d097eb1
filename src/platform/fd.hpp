// Owned OS descriptors and the few blocking primitives built on them.
//
// What an `int` descriptor is: on POSIX systems a file descriptor; on
// Windows a HANDLE value (Windows guarantees that kernel handles fit in 32
// bits, so one travels in an int unchanged). Core code never looks inside
// one: it only hands it back to the functions of src/platform.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "platform/deadline.hpp"

namespace mproc::platform {

// Closes its descriptor when destroyed. Move-only.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// A close-on-exec duplicate of `fd`; throws on failure (EBADF for a
// descriptor that is not open).
UniqueFd dup_cloexec(int fd, int min_fd = 0);

// The C ABI's descriptors are the program's C runtime descriptors: on
// POSIX the same numbers as OS descriptors; on Windows CRT fds (from _open,
// _fileno, _open_osfhandle), not HANDLEs.
//
// A close-on-exec copy of the program's descriptor `user_fd`, owned by the
// library. EBADF when `user_fd` is not open.
UniqueFd import_user_fd(int user_fd);
// The program's descriptor for OS descriptor `fd`, which the library owns
// and keeps: `fd` itself on POSIX; on Windows a CRT fd made on first use
// and closed when `fd` is (the program must not close it).
int user_fd_of(int fd);
// Closes the program's descriptor `user_fd` (once the library holds a copy
// of it that it adopts in its place).
void close_user_fd(int user_fd) noexcept;
void set_nonblocking(int fd, bool on);
// Marks `fd` as not inherited by programs this process starts.
void set_cloexec(int fd) noexcept;
bool fd_is_open(int fd) noexcept;

// What a wait waits for.
enum class IoWant : uint8_t { kRead, kWrite };

// Waits until `fd` can be read or written as asked. Returns true when
// ready (including hang-up and error, which the next I/O reports), false
// when the deadline passed. Restarts on EINTR.
bool wait_fd(int fd, IoWant want, const Deadline& deadline);
// Whether `fd` can be read at once (or has hung up): a wait that never
// blocks. For sentinels and process handles.
bool readable_now(int fd);

// One descriptor of a wait_any: what to wait for, and whether it is ready.
struct FdWait {
  int fd;
  IoWant want;
  bool ready;  // set by wait_any
};
// Waits until one of `items` is ready (hang-up and error count), or the
// deadline passes. Sets each item's `ready`; returns how many are, 0 when
// the deadline passed first. Restarts on EINTR.
size_t wait_any(FdWait* items, size_t n, const Deadline& deadline);

// What read_nowait and write_nowait return when nothing can move yet.
inline constexpr std::ptrdiff_t kWouldBlock = -1;
// One read from a non-blocking pipe or file: the count read, 0 at end of
// file, kWouldBlock when nothing is there. Throws other errors.
std::ptrdiff_t read_nowait(int fd, void* data, size_t len);
// One write to a non-blocking pipe: the count written, kWouldBlock when
// there is no room. Never raises SIGPIPE; throws MPROC_EPIPE when the
// reader is gone, other errors as they are.
std::ptrdiff_t write_nowait(int fd, const void* data, size_t len);

// Writes all of [data, data+len) to a blocking or non-blocking descriptor,
// waiting for room as needed. Throws on error (EPIPE when the reader is
// gone: never SIGPIPE, sockets use MSG_NOSIGNAL). Returns false if the
// deadline passed first, with *written bytes already sent.
bool write_all(int fd, const void* data, size_t len, const Deadline& deadline,
               size_t* written = nullptr);
// Reads exactly len bytes. Returns false at end of file before len bytes
// (with *got set); throws on error; throws ETIMEDOUT past the deadline.
bool read_exact(int fd, void* data, size_t len, const Deadline& deadline,
                size_t* got = nullptr);
// read_exact of `len` bytes into `out` (replacing what it held), which
// grows as the bytes arrive instead of to `len` at once: a peer that
// announces more than it sends costs memory only for what it sent.
inline bool read_exact_growing(int fd, std::string& out, size_t len, const Deadline& deadline) {
  constexpr size_t kFirstStep = size_t{1} << 20;
  out.clear();
  while (out.size() < len) {
    size_t have = out.size();
    size_t step = std::min(len - have, std::max(have, kFirstStep));
    out.resize(have + step);
    if (!read_exact(fd, &out[have], step, deadline)) return false;
  }
  return true;
}

}  // namespace mproc::platform
