#include "core/connection.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <uv.h>

#include <cstring>

#include <mproc/args.h>
#include <mproc/connection.h>

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr size_t kHeader = 4;
// Read-ahead size: large enough that a stream of small messages costs one
// read per many messages.
constexpr size_t kReadChunk = 64 * 1024;
// Messages at least this big are read straight into their own allocation
// instead of through the read-ahead buffer.
constexpr size_t kDirectThreshold = 256 * 1024;

}  // namespace

std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
Connection::make_pair(bool duplex) {
  uv_os_sock_t fds[2];
  // uv_socketpair makes both ends close-on-exec.
  int rc = uv_socketpair(SOCK_STREAM, 0, fds, 0, 0);
  if (rc != 0) fail_errno("socketpair", -rc);
  platform::UniqueFd a(fds[0]), b(fds[1]);
  auto first = std::make_shared<Connection>(std::move(a), true, duplex);
  auto second = std::make_shared<Connection>(std::move(b), duplex, true);
  return {std::move(first), std::move(second)};
}

Connection::Connection(platform::UniqueFd fd, bool readable, bool writable)
    : fd_(std::move(fd)), readable_(readable), writable_(writable) {}

void Connection::check_open(const char* op) const {
  if (closed_.load(std::memory_order_acquire))
    fail(MPROC_ECLOSED, std::string("connection: ") + op + " on a closed connection");
}

int Connection::fileno() const {
  check_open("fileno");
  return fd_.get();
}

void Connection::close() noexcept {
  if (closed_.exchange(true, std::memory_order_acq_rel)) return;
  // A thread still inside send or recv keeps the descriptor until the
  // handle is freed; otherwise it goes now and the peer sees end of file.
  std::unique_lock<std::mutex> s(send_mu_, std::try_to_lock);
  std::unique_lock<std::mutex> r(recv_mu_, std::try_to_lock);
  if (s.owns_lock() && r.owns_lock()) fd_.reset();
}

int Connection::send(const void* data, size_t len, const Deadline& deadline) {
  if (!writable_) fail(MPROC_ENOTSUP, "connection: this end only receives");
  if (len > MPROC_CONN_MAX_MESSAGE)
    fail(MPROC_ETOOBIG, "connection: message of " + std::to_string(len) +
                            " bytes exceeds the limit of 2 GiB - 1");
  std::lock_guard<std::mutex> lock(send_mu_);
  check_open("send");
  if (send_broken_)
    fail(MPROC_ESTATE, "connection: an earlier send timed out mid-message; "
                       "this end can no longer send");
  uint32_t header = static_cast<uint32_t>(len);
  struct iovec iov[2] = {{&header, kHeader}, {const_cast<void*>(data), len}};
  size_t total = kHeader + len;
  size_t sent = 0;
  struct msghdr msg{};
  while (sent < total) {
    // Skip what went out already.
    struct iovec parts[2];
    int count = 0;
    size_t skip = sent;
    for (auto& part : iov) {
      if (skip >= part.iov_len) {
        skip -= part.iov_len;
        continue;
      }
      parts[count].iov_base = static_cast<char*>(part.iov_base) + skip;
      parts[count].iov_len = part.iov_len - skip;
      skip = 0;
      ++count;
    }
    msg.msg_iov = parts;
    msg.msg_iovlen = static_cast<size_t>(count);
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (platform::wait_fd(fd_.get(), POLLOUT, deadline)) continue;
      if (sent > 0) send_broken_ = true;
      return MPROC_ETIMEDOUT;
    }
    if (sent > 0) send_broken_ = true;
    if (errno == EPIPE || errno == ECONNRESET)
      fail(MPROC_EPIPE, "connection: the peer is gone");
    fail_errno("connection: send");
  }
  return 0;
}

void Connection::consume(size_t n) noexcept {
  start_ += n;
  if (start_ == end_) start_ = end_ = 0;
}

int Connection::read_some(const Deadline& deadline) {
  if (buf_.size() - end_ < kReadChunk) {
    // Slide what is buffered to the front before growing.
    if (start_ > 0) {
      std::memmove(buf_.data(), buf_.data() + start_, buffered());
      end_ -= start_;
      start_ = 0;
    }
    if (buf_.size() - end_ < kReadChunk) buf_.resize(end_ + kReadChunk);
  }
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf_.data() + end_, buf_.size() - end_, MSG_DONTWAIT);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return 0;
    }
    if (n == 0) return MPROC_EOF;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!platform::wait_fd(fd_.get(), POLLIN, deadline)) return MPROC_ETIMEDOUT;
      continue;
    }
    if (errno == ECONNRESET) return MPROC_EOF;
    fail_errno("connection: recv");
  }
}

int64_t Connection::fill_message(const Deadline& deadline) {
  for (;;) {
    if (buffered() >= kHeader) {
      uint32_t len;
      std::memcpy(&len, buf_.data() + start_, kHeader);
      if (len > MPROC_CONN_MAX_MESSAGE)
        fail(MPROC_ECORRUPT, "connection: stream holds a bad message length");
      if (buffered() >= kHeader + len) return len;
      if (len >= kDirectThreshold) return len;  // caller reads the rest
    }
    int rc = read_some(deadline);
    if (rc == MPROC_EOF) {
      if (buffered() == 0) return MPROC_EOF;
      fail(MPROC_ECORRUPT, "connection: the peer closed in the middle of a message");
    }
    if (rc != 0) return rc;
  }
}

int Connection::recv(mproc_msg_s** out, const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  std::lock_guard<std::mutex> lock(recv_mu_);
  check_open("recv");
  return recv_locked(out, deadline);
}

int Connection::recv_locked(mproc_msg_s** out, const Deadline& deadline) {
  int64_t len = fill_message(deadline);
  if (len < 0) return static_cast<int>(len);
  size_t size = static_cast<size_t>(len);
  mproc_msg_s* m = message_alloc(size);
  size_t have = buffered() - kHeader;
  if (have >= size) {
    std::memcpy(m->data(), buf_.data() + start_ + kHeader, size);
    consume(kHeader + size);
    *out = m;
    return 0;
  }
  // A large message: take what is buffered, then read the rest straight in.
  // Once begun, it is finished regardless of the deadline, so that the
  // stream stays aligned on message boundaries.
  std::memcpy(m->data(), buf_.data() + start_ + kHeader, have);
  consume(kHeader + have);
  size_t got = 0;
  bool complete;
  try {
    complete = platform::read_exact(fd_.get(), m->data() + have, size - have,
                                    Deadline::never(), &got);
  } catch (...) {
    message_free(m);
    throw;
  }
  if (!complete) {
    message_free(m);
    fail(MPROC_ECORRUPT, "connection: the peer closed in the middle of a message");
  }
  *out = m;
  return 0;
}

int Connection::recv_into(void* buf, size_t cap, size_t* len,
                          const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  std::lock_guard<std::mutex> lock(recv_mu_);
  check_open("recv");
  // Peek at the length first so a short buffer leaves the message queued.
  while (buffered() < kHeader) {
    int rc = read_some(deadline);
    if (rc == MPROC_EOF && buffered() == 0) return MPROC_EOF;
    if (rc == MPROC_EOF)
      fail(MPROC_ECORRUPT, "connection: the peer closed in the middle of a message");
    if (rc != 0) return rc;
  }
  uint32_t size;
  std::memcpy(&size, buf_.data() + start_, kHeader);
  *len = size;
  if (size > cap) return MPROC_ETOOBIG;
  if (buffered() >= kHeader + size) {
    if (size > 0) std::memcpy(buf, buf_.data() + start_ + kHeader, size);
    consume(kHeader + size);
    return 0;
  }
  mproc_msg_s* m = nullptr;
  int rc = recv_locked(&m, deadline);
  if (rc != 0) return rc;
  std::memcpy(buf, m->data(), m->size);
  message_free(m);
  return 0;
}

int Connection::poll(const Deadline& deadline) {
  if (!readable_) fail(MPROC_ENOTSUP, "connection: this end only sends");
  std::lock_guard<std::mutex> lock(recv_mu_);
  check_open("poll");
  if (buffered() >= kHeader) {
    uint32_t len;
    std::memcpy(&len, buf_.data() + start_, kHeader);
    if (buffered() >= kHeader + len) return 0;
  }
  return platform::wait_fd(fd_.get(), POLLIN, deadline) ? 0 : MPROC_ETIMEDOUT;
}

int Connection::arg_type() const noexcept { return MPROC_ARG_CONN; }

void Connection::encode(WireWriter& out, std::vector<int>& fds) const {
  check_open("pass to a child");
  encode_fd(out, fds, fd_.get());
  out.u8(readable_ ? 1 : 0);
  out.u8(writable_ ? 1 : 0);
}

std::shared_ptr<Connection> Connection::decode(WireReader& in, ReceivedFds& fds) {
  platform::UniqueFd fd = fds.take(in.u32());
  bool readable = in.u8() != 0;
  bool writable = in.u8() != 0;
  return std::make_shared<Connection>(std::move(fd), readable, writable);
}

}  // namespace mproc::core
