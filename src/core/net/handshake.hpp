// The authentication handshake of Python's multiprocessing.connection, as
// a state machine that does no I/O: the caller moves bytes between it and
// a socket (core/net/handshake_io.hpp), so the same code serves a blocking
// Client and a Listener that runs many handshakes at once.
//
// Each side proves it holds the key by answering the other's challenge:
//   challenger: "#CHALLENGE#" + M          answerer: digest of M
//   challenger: "#WELCOME#" or "#FAILURE#"
// The listening side challenges first and then answers; the connecting
// side answers first and then challenges. Every message is framed as on
// the connection (core/frame.hpp) and at most 256 bytes, as Python reads
// them.
//
// Forms (Python 3.11 and 3.12+, both spoken):
//  - mproc challenges with "{sha256}" + 40 random bytes (3.12's form). A
//    3.12+ peer answers "{sha256}" + HMAC-SHA256(key, M); a 3.11 peer,
//    which knows only MD5, answers the raw HMAC-MD5(key, M) -- 16 bytes --
//    accepted unless accept_md5 is off. Answers name md5, sha256 or
//    sha384; the HMAC always covers all of M, prefix included, so a peer
//    can not strip it to weaken the digest.
//  - mproc answers a 16- or 20-byte challenge (3.11's form) with the raw
//    HMAC-MD5, and a "{name}"-prefixed one with "{name}" + HMAC-name.
// Digests are compared in constant time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace mproc::core {

class Handshake {
 public:
  enum class Role {
    kListener,  // challenges, then answers
    kClient,    // answers, then challenges
  };
  using Random = std::function<void(void*, size_t)>;

  // `key` is the shared secret; `random` fills the challenge (the OS's
  // random bytes unless a test injects its own).
  Handshake(Role role, std::string key, bool accept_md5, Random random = {});
  ~Handshake();
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // Bytes to send now, from the front; report what went with sent(n).
  // After a failure it may still hold "#FAILURE#" for the peer.
  const std::string& output() const noexcept { return out_; }
  void sent(size_t n) noexcept { out_.erase(0, n); }
  // How many bytes to read next, exactly: never a byte beyond the last
  // handshake message, so what the peer sends after it stays in the
  // socket for the connection. 0 when not reading now.
  size_t want() const noexcept;
  // Gives it n (<= want()) bytes read.
  void feed(const unsigned char* data, size_t n);
  // The peer closed or the transport failed before the end.
  void lost(const std::string& why);

  bool done() const noexcept { return state_ == State::kDone; }
  bool failed() const noexcept { return state_ == State::kFailed; }
  // Why it failed: a sentence for mproc_last_error (every failure is
  // MPROC_EAUTH).
  const std::string& failure() const noexcept { return failure_; }

 private:
  enum class Step {
    kSendChallenge,
    kReadAnswer,
    kReadChallenge,
    kReadVerdict,
  };
  enum class State { kRunning, kDone, kFailed };

  Step step() const noexcept;
  void begin_step();
  void on_message(const std::string& m);
  void check_answer(const std::string& answer);
  void answer(const std::string& challenge_message);
  void check_verdict(const std::string& verdict);
  void next_step();
  void send_frame(const std::string& body);
  void fail(std::string why);

  Role role_;
  std::string key_;
  bool accept_md5_;
  Random random_;
  int step_index_ = 0;
  State state_ = State::kRunning;
  std::string failure_;
  std::string out_;
  std::string challenge_;  // the M this side sent
  // The frame being read: header bytes, then body bytes.
  std::string header_;
  std::string body_;
  uint64_t body_len_ = 0;
  bool in_body_ = false;
};

}  // namespace mproc::core
