// Framed-channel steps on Windows. A connection's channel is either a
// duplex overlapped named pipe (win/pipes.cpp: the ends of a pipe made by
// mproc_conn_pipe), each step one step of its Pipe (pipe.hpp) found
// through the descriptor table; or a Winsock socket (a listener's or a
// client's connection), each step one non-blocking socket call
// (win/socket_io.cpp).
#include "platform/stream_io.hpp"

#include <mproc/common.h>

#include <string>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "platform/fd.hpp"
#include "sockets.hpp"

namespace mproc::platform {
namespace {

std::shared_ptr<winproc::Pipe> channel(int fd) {
  auto pipe = winproc::pipe_of(fd);
  if (!pipe) fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not a pipe");
  return pipe;
}

std::ptrdiff_t count_or_nothing(long long n) {
  return n < 0 ? kNothingYet : static_cast<std::ptrdiff_t>(n);
}

}  // namespace

size_t send_nowait(int fd, const void* head, size_t head_len, const void* body,
                   size_t body_len, size_t skip) {
  if (winproc::is_socket_fd(fd))
    return winproc::socket_send_nowait(fd, head, head_len, body, body_len, skip);
  return channel(fd)->send_nowait(head, head_len, body, body_len, skip);
}

std::ptrdiff_t recv_nowait(int fd, void* data, size_t len) {
  if (winproc::is_socket_fd(fd)) return count_or_nothing(winproc::socket_recv_nowait(fd, data, len));
  return count_or_nothing(channel(fd)->recv_nowait(data, len));
}

std::ptrdiff_t recv_wait(int fd, void* data, size_t len) {
  if (!wait_readable(fd, Deadline::never())) return kNothingYet;
  return recv_nowait(fd, data, len);
}

bool wait_readable(int fd, const Deadline& deadline) {
  if (winproc::is_socket_fd(fd)) return wait_fd(fd, IoWant::kRead, deadline);
  return channel(fd)->wait_readable(deadline);
}

bool wait_writable(int fd, const Deadline& deadline) {
  if (winproc::is_socket_fd(fd)) return wait_fd(fd, IoWant::kWrite, deadline);
  return channel(fd)->wait_writable(deadline);
}

}  // namespace mproc::platform
