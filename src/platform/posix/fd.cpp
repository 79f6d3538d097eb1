#include "platform/fd.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "platform/error.hpp"

namespace mproc::platform {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

UniqueFd dup_cloexec(int fd, int min_fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
  if (copy < 0) fail_errno("cannot duplicate descriptor " + std::to_string(fd));
  return UniqueFd(copy);
}

UniqueFd import_user_fd(int user_fd) { return dup_cloexec(user_fd); }

int user_fd_of(int fd) { return fd; }

void close_user_fd(int user_fd) noexcept { UniqueFd(user_fd).reset(); }

void set_nonblocking(int fd, bool on) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) fail_errno("fcntl(F_GETFL)");
  int wanted = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && fcntl(fd, F_SETFL, wanted) < 0)
    fail_errno("fcntl(F_SETFL)");
}

void set_cloexec(int fd) noexcept {
  int flags = fcntl(fd, F_GETFD);
  if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

bool fd_is_open(int fd) noexcept { return fcntl(fd, F_GETFD) >= 0; }

namespace {

short poll_events(IoWant want) { return want == IoWant::kRead ? POLLIN : POLLOUT; }

}  // namespace

bool wait_fd(int fd, IoWant want, const Deadline& deadline) {
  for (;;) {
    struct pollfd pfd = {fd, poll_events(want), 0};
    int n = ::poll(&pfd, 1, deadline.poll_ms());
    if (n > 0) return true;
    if (n == 0) {
      if (deadline.expired()) return false;
      continue;
    }
    if (errno != EINTR) fail_errno("poll");
  }
}

bool readable_now(int fd) {
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int n = ::poll(&pfd, 1, 0);
    if (n >= 0) return n > 0;
    if (errno != EINTR) fail_errno("poll");
  }
}

size_t wait_any(FdWait* items, size_t n, const Deadline& deadline) {
  // Mostly a handful of descriptors (a command's three pipes and its
  // sentinel; the forkserver's two): a fixed array keeps those off the
  // heap. A listener's handshakes and a waitset may need more.
  constexpr size_t kMax = 8;
  struct pollfd few[kMax];
  std::vector<struct pollfd> many;
  if (n > kMax) many.resize(n);
  struct pollfd* pfds = n > kMax ? many.data() : few;
  for (;;) {
    for (size_t i = 0; i < n; ++i) {
      pfds[i] = {items[i].fd, poll_events(items[i].want), 0};
      items[i].ready = false;
    }
    int got = ::poll(pfds, static_cast<nfds_t>(n), deadline.poll_ms());
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll");
    }
    if (got == 0) {
      if (deadline.expired()) return 0;
      continue;
    }
    size_t ready = 0;
    for (size_t i = 0; i < n; ++i) {
      items[i].ready = pfds[i].revents != 0;
      if (items[i].ready) ++ready;
    }
    return ready;
  }
}

std::ptrdiff_t read_nowait(int fd, void* data, size_t len) {
  for (;;) {
    ssize_t n = ::read(fd, data, len);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kWouldBlock;
    fail_errno("read");
  }
}

namespace {

bool is_socket(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}


// write(2) to a pipe whose reader is gone raises SIGPIPE, which kills a
// program that did not ignore it. The signal is blocked for this thread
// around the write, and one it raised is taken off the pending set before
// the mask is restored, so the host's own handling never sees it.
ssize_t write_without_sigpipe(int fd, const void* data, size_t len) noexcept {
  sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  sigpending(&pending);
  bool already_pending = sigismember(&pending, SIGPIPE);
  ssize_t n = ::write(fd, data, len);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !already_pending) {
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = saved;
  return n;
}

}  // namespace

std::ptrdiff_t write_nowait(int fd, const void* data, size_t len) {
  for (;;) {
    ssize_t n = write_without_sigpipe(fd, data, len);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kWouldBlock;
    if (errno == EPIPE) fail(MPROC_EPIPE, "write: the reader is gone");
    fail_errno("write");
  }
}

bool write_all(int fd, const void* data, size_t len, const Deadline& deadline,
               size_t* written) {
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  bool sock = is_socket(fd);
  while (done < len) {
    ssize_t n = sock ? ::send(fd, p + done, len - done, MSG_NOSIGNAL)
                     : write_without_sigpipe(fd, p + done, len - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(fd, IoWant::kWrite, deadline)) {
        if (written) *written = done;
        return false;
      }
      continue;
    }
    if (written) *written = done;
    if (errno == EPIPE || errno == ECONNRESET) fail(MPROC_EPIPE, "write: the reader is gone");
    fail_errno("write");
  }
  if (written) *written = done;
  return true;
}

bool read_exact(int fd, void* data, size_t len, const Deadline& deadline,
                size_t* got) {
  char* p = static_cast<char*>(data);
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::read(fd, p + done, len - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      if (got) *got = done;
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(fd, IoWant::kRead, deadline)) fail(MPROC_ETIMEDOUT, "read timed out");
      continue;
    }
    fail_errno("read");
  }
  if (got) *got = done;
  return true;
}

}  // namespace mproc::platform
