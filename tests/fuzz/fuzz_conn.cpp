// Connection framing (core/connection.*): a receiving end reading what its
// peer wrote. The fuzzer's input is a script of steps on one socket pair:
// the peer sends whole messages through the library's own sender, or
// writes raw bytes into the stream, or closes; this end receives, receives
// into a buffer of some size, or polls, never waiting. At the end the peer
// closes and this end drains the stream.
// While only whole messages were sent, every receive must give exactly
// the messages sent, in order (ETOOBIG keeps the message for the next
// receive; EOF only once all were taken). Once raw bytes went in, a
// receive may give any message, ETIMEDOUT or EOF, or break the stream
// with ECORRUPT (a bad frame) or ETOOBIG (a length over the connection's
// limit); never anything else, and never a crash or a hang.
#include <deque>

#include <mproc/connection.h>

#include "core/connection.hpp"
#include "core/message.hpp"
#include "fuzz_common.hpp"
#include "platform/pipes.hpp"
#include "platform/stream_io.hpp"

using namespace mproc;
using namespace mproc::fuzz;

namespace {

const platform::Deadline kNow = platform::Deadline::after_ms(0);

struct Script {
  core::Connection end;   // the end under test
  core::Connection peer;  // its peer, the sender
  std::deque<std::string> sent;
  bool raw = false;  // raw bytes went into the stream: anything goes
  bool peer_open = true;
  bool eof = false;

  Script(platform::UniqueFd ours, platform::UniqueFd theirs)
      : end(std::move(ours), true, false), peer(std::move(theirs), false, true) {}

  // What a receive returned: 0 with `got`, or a code.
  void check(int rc, const std::string* got, size_t len) {
    if (raw) {
      require(rc == 0 || rc == MPROC_ETIMEDOUT || rc == MPROC_EOF || rc == MPROC_ETOOBIG,
              "a receive returned a code it does not document");
      require(rc != 0 || len <= MPROC_CONN_MAX_MESSAGE, "a message beyond the limit");
      return;
    }
    if (rc == 0) {
      require(!sent.empty(), "a message nobody sent");
      require(got == nullptr ? len == sent.front().size() : *got == sent.front(),
              "a message other than the one sent");
      sent.pop_front();
    } else if (rc == MPROC_ETOOBIG) {
      require(!sent.empty() && len == sent.front().size(), "ETOOBIG with the wrong size");
    } else if (rc == MPROC_EOF) {
      require(sent.empty() && !peer_open, "EOF before every message was taken");
    } else {
      // A whole message sent is in this end's socket already.
      require(rc == MPROC_ETIMEDOUT && sent.empty() && peer_open,
              "a receive did not find what was sent");
    }
  }

  void recv() {
    mproc_msg_s* m = nullptr;
    int rc = 0;
    if (!runs_or_refuses([&] { rc = end.recv(&m, kNow); }, {MPROC_ECORRUPT, MPROC_ETOOBIG})) {
      require(raw, "a stream of whole messages refused as corrupt");
      eof = true;
      return;
    }
    std::string got;
    if (rc == 0) got.assign(reinterpret_cast<const char*>(m->data()), m->size);
    if (m != nullptr) core::message_free(m);
    check(rc, &got, got.size());
    if (rc == MPROC_EOF) eof = true;
  }

  void recv_into(size_t cap) {
    std::string buf(cap, '\0');
    size_t len = 0;
    int rc = 0;
    if (!runs_or_refuses([&] { rc = end.recv_into(buf.data(), cap, &len, kNow); },
                                 {MPROC_ECORRUPT, MPROC_ETOOBIG})) {
      require(raw, "a stream of whole messages refused as corrupt");
      eof = true;
      return;
    }
    if (rc == 0) {
      buf.resize(len);
      check(rc, &buf, len);
    } else {
      check(rc, nullptr, len);
    }
    if (rc == MPROC_EOF) eof = true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  platform::UniqueFd a, b;
  platform::make_socket_pair(&a, &b);
  Script s(std::move(a), std::move(b));
  while (in.remaining_bytes() > 0 && !s.eof) {
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0: {  // the peer sends a whole message
        std::string msg = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(0, 600));
        if (!s.peer_open) break;
        // A send that could not finish leaves part of a message behind.
        if (s.peer.send(msg.data(), msg.size(), kNow) != 0) s.raw = true;
        s.sent.push_back(std::move(msg));
        break;
      }
      case 1: {  // the peer writes raw bytes into the stream
        std::string bytes = in.ConsumeBytesAsString(in.ConsumeIntegralInRange<size_t>(1, 64));
        if (!s.peer_open) break;
        s.raw = true;
        platform::send_nowait(s.peer.fileno(), bytes.data(), bytes.size(), nullptr, 0, 0);
        break;
      }
      case 2:
        s.recv();
        break;
      case 3:
        s.recv_into(in.ConsumeIntegralInRange<size_t>(0, 700));
        break;
      case 4: {
        int rc = s.end.poll(kNow);
        require(rc == 0 || rc == MPROC_ETIMEDOUT, "poll returned a code it does not document");
        break;
      }
      default:
        s.peer.close();
        s.peer_open = false;
    }
  }
  // The peer goes; everything it sent is there to be read at once.
  s.peer.close();
  s.peer_open = false;
  for (int i = 0; i < 10000 && !s.eof; ++i) s.recv();
  require(s.eof, "the stream never ended");
  return 0;
}
