// Framed-channel steps on Windows: the connection's "socket" is a duplex
// overlapped named pipe (win/pipes.cpp), and each step is one step of its
// Pipe (pipe.hpp), found through the descriptor table.
#include "platform/stream_io.hpp"

#include <mproc/common.h>

#include <string>

#include "pipe_table.hpp"
#include "platform/error.hpp"

namespace mproc::platform {
namespace {

std::shared_ptr<winproc::Pipe> channel(int fd) {
  auto pipe = winproc::pipe_of(fd);
  if (!pipe) fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not a pipe");
  return pipe;
}

}  // namespace

size_t send_nowait(int fd, const void* head, size_t head_len, const void* body,
                   size_t body_len, size_t skip) {
  return channel(fd)->send_nowait(head, head_len, body, body_len, skip);
}

std::ptrdiff_t recv_nowait(int fd, void* data, size_t len) {
  long long n = channel(fd)->recv_nowait(data, len);
  return n < 0 ? kNothingYet : static_cast<std::ptrdiff_t>(n);
}

bool wait_readable(int fd, const Deadline& deadline) {
  return channel(fd)->wait_readable(deadline);
}

bool wait_writable(int fd, const Deadline& deadline) {
  return channel(fd)->wait_writable(deadline);
}

}  // namespace mproc::platform
