// Owned file descriptors and the few blocking primitives built on them.
#pragma once

#include <sys/types.h>

#include <cstddef>
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
void set_nonblocking(int fd, bool on);
bool fd_is_open(int fd) noexcept;

// write(2) that reports EPIPE instead of raising SIGPIPE (for pipes;
// sockets use MSG_NOSIGNAL). Returns what write returns, errno set.
ssize_t write_without_sigpipe(int fd, const void* data, size_t len);

// Waits until `fd` reports one of `events` (POLLIN/POLLOUT). Returns true
// when ready (including hang-up and error, which the next I/O reports),
// false when the deadline passed. Restarts on EINTR.
bool wait_fd(int fd, short events, const Deadline& deadline);

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

}  // namespace mproc::platform
