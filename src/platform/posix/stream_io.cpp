#include "platform/stream_io.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "platform/error.hpp"
#include "platform/fd.hpp"

namespace mproc::platform {

size_t send_nowait(int fd, const void* head, size_t head_len, const void* body,
                   size_t body_len, size_t skip) {
  struct iovec parts[2];
  int count = 0;
  if (skip < head_len) {
    parts[count++] = {const_cast<char*>(static_cast<const char*>(head)) + skip, head_len - skip};
    skip = 0;
  } else {
    skip -= head_len;
  }
  if (skip < body_len)
    parts[count++] = {const_cast<char*>(static_cast<const char*>(body)) + skip, body_len - skip};
  if (count == 0) return 0;
  struct msghdr msg{};
  msg.msg_iov = parts;
  msg.msg_iovlen = static_cast<size_t>(count);
  for (;;) {
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    if (errno == EPIPE || errno == ECONNRESET) fail(MPROC_EPIPE, "connection: the peer is gone");
    fail_errno("connection: send");
  }
}

std::ptrdiff_t recv_nowait(int fd, void* data, size_t len) {
  for (;;) {
    ssize_t n = ::recv(fd, data, len, MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kNothingYet;
    if (errno == ECONNRESET) return 0;
    fail_errno("connection: recv");
  }
}

std::ptrdiff_t recv_wait(int fd, void* data, size_t len) {
  for (;;) {
    ssize_t n = ::recv(fd, data, len, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kNothingYet;
    if (errno == ECONNRESET) return 0;
    fail_errno("connection: recv");
  }
}

bool wait_readable(int fd, const Deadline& deadline) { return wait_fd(fd, IoWant::kRead, deadline); }
bool wait_writable(int fd, const Deadline& deadline) { return wait_fd(fd, IoWant::kWrite, deadline); }

}  // namespace mproc::platform
