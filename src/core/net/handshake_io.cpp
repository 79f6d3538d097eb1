#include "core/net/handshake_io.hpp"

#include <mproc/common.h>

#include <algorithm>

#include "platform/error.hpp"
#include "platform/stream_io.hpp"

namespace mproc::core {

HandshakeWait advance_handshake(Handshake& h, int fd) {
  for (;;) {
    while (!h.output().empty()) {
      size_t n = 0;
      try {
        n = platform::send_nowait(fd, h.output().data(), h.output().size(), nullptr, 0, 0);
      } catch (const Error& e) {
        h.lost(std::string("the connection broke during the handshake: ") + e.what());
        return HandshakeWait::kNone;
      }
      if (n == 0) return h.failed() ? HandshakeWait::kNone : HandshakeWait::kWrite;
      h.sent(n);
    }
    if (h.done() || h.failed()) return HandshakeWait::kNone;
    // Handshake messages are at most 256 bytes plus a header.
    unsigned char buf[512];
    std::ptrdiff_t got;
    try {
      got = platform::recv_nowait(fd, buf, std::min(h.want(), sizeof buf));
    } catch (const Error& e) {
      h.lost(std::string("the connection broke during the handshake: ") + e.what());
      return HandshakeWait::kNone;
    }
    if (got == platform::kNothingYet) return HandshakeWait::kRead;
    if (got == 0) {
      h.lost("the peer closed the connection during the handshake");
      return HandshakeWait::kNone;
    }
    h.feed(buf, static_cast<size_t>(got));
  }
}

void run_handshake(Handshake& h, int fd, const platform::Deadline& deadline,
                   const std::string& what) {
  for (;;) {
    HandshakeWait wait = advance_handshake(h, fd);
    if (h.done()) return;
    if (h.failed()) fail(MPROC_EAUTH, what + ": " + h.failure());
    platform::IoWant want =
        wait == HandshakeWait::kWrite ? platform::IoWant::kWrite : platform::IoWant::kRead;
    if (!platform::wait_fd(fd, want, deadline))
      fail(MPROC_ETIMEDOUT, what + ": the handshake did not finish in time");
  }
}

}  // namespace mproc::core
