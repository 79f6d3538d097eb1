#include "platform/fdpass.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "platform/error.hpp"

namespace mproc::platform {
namespace {

// The kernel accepts at most SCM_MAX_FD (253) descriptors per message, so
// they travel in batches, each riding on one byte of its own.
constexpr size_t kFdsPerBatch = 250;

struct RecordHeader {
  uint64_t payload_size;
  uint32_t fd_count;
  uint32_t magic;
};
constexpr uint32_t kRecordMagic = 0x6d707263;  // "mprc"

void send_batch(int sock, const int* fds, size_t n, const Deadline& deadline) {
  char byte = 'F';
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kFdsPerBatch)];
  struct msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
  std::memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
  for (;;) {
    ssize_t sent = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (sent == 1) return;
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_fd(sock, IoWant::kWrite, deadline))
        fail(MPROC_ETIMEDOUT, "sending descriptors timed out");
      continue;
    }
    fail_errno("sendmsg(SCM_RIGHTS)");
  }
}

void recv_batch(int sock, std::vector<UniqueFd>& out, size_t want,
                const Deadline& deadline) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * kFdsPerBatch)];
  struct msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t got;
  for (;;) {
    got = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (got >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(sock, IoWant::kRead, deadline))
        fail(MPROC_ETIMEDOUT, "receiving descriptors timed out");
      continue;
    }
    fail_errno("recvmsg(SCM_RIGHTS)");
  }
  size_t received = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      out.emplace_back(fd);
      ++received;
    }
  }
  if (got != 1 || byte != 'F' || received != want || (msg.msg_flags & MSG_CTRUNC))
    fail(MPROC_ECORRUPT, "descriptor batch truncated or malformed");
}

}  // namespace

void send_record(int sock, const std::string& payload,
                 const std::vector<int>& fds, const Deadline& deadline) {
  RecordHeader header{payload.size(), static_cast<uint32_t>(fds.size()),
                      kRecordMagic};
  if (!write_all(sock, &header, sizeof header, deadline))
    fail(MPROC_ETIMEDOUT, "sending a record timed out");
  for (size_t i = 0; i < fds.size(); i += kFdsPerBatch) {
    size_t n = fds.size() - i < kFdsPerBatch ? fds.size() - i : kFdsPerBatch;
    send_batch(sock, fds.data() + i, n, deadline);
  }
  if (!write_all(sock, payload.data(), payload.size(), deadline))
    fail(MPROC_ETIMEDOUT, "sending a record timed out");
}

bool recv_record(int sock, std::string& payload, std::vector<UniqueFd>& fds,
                 const Deadline& deadline, size_t max_payload) {
  RecordHeader header{};
  size_t got = 0;
  if (!read_exact(sock, &header, sizeof header, deadline, &got)) {
    if (got == 0) return false;
    fail(MPROC_ECORRUPT, "record header truncated");
  }
  if (header.magic != kRecordMagic)
    fail(MPROC_ECORRUPT, "record has a bad magic number");
  if (header.payload_size > max_payload)
    fail(MPROC_ECORRUPT, "record of " + std::to_string(header.payload_size) +
                             " bytes exceeds the limit");
  fds.clear();
  for (size_t left = header.fd_count; left > 0;) {
    size_t n = left < kFdsPerBatch ? left : kFdsPerBatch;
    recv_batch(sock, fds, n, deadline);
    left -= n;
  }
  if (!read_exact_growing(sock, payload, header.payload_size, deadline))
    fail(MPROC_ECORRUPT, "record payload truncated");
  return true;
}

}  // namespace mproc::platform
