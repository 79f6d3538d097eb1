// Lifelines: one TCP connection between a pool's owner and each of its
// ranks, beside MPI. Open MPI 4.1 (without ULFM) never tells a process that
// its peer died, but the kernel closes a dead process's sockets on any
// host: the owner learns of a rank's death from its lifeline reaching end
// of file, and a rank of its owner's the same way. The owner can also ask
// a rank to end at once through it (terminate).
//
// The handshake proves both ends: the rank connects to one of the owner's
// addresses and sends the pool's token, its index, pid and host name; the
// owner answers with the same token. A connection that does not know the
// token is dropped, and a rank that reached something else tries the next
// address.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace mproc::mpi {

// A 16-byte secret per handshake.
struct Token {
  uint8_t bytes[16];
};

// Where the owner listens: its IPv4 addresses (the ones other hosts can
// reach first, loopback last) and one port.
struct LifelineAddress {
  std::vector<uint32_t> ipv4;  // network byte order
  uint16_t port = 0;           // host byte order
};

// What a rank says about itself when it connects.
struct RankHello {
  uint32_t index = 0;
  int64_t pid = 0;
  std::string host;
};

// The owner's listening socket.
class LifelineListener {
 public:
  // Listens on every IPv4 address, port chosen by the system. Throws
  // std::runtime_error with the reason.
  LifelineListener();
  ~LifelineListener();
  LifelineListener(const LifelineListener&) = delete;
  LifelineListener& operator=(const LifelineListener&) = delete;

  const LifelineAddress& address() const noexcept { return address_; }
  // Accepts lifelines until `count` ranks have proved they know `token`,
  // or `timeout_ms` passes. fds[index] gets each rank's descriptor and
  // hellos[index] what it said; indexes already set are not taken again.
  // Returns how many are still missing.
  size_t accept_ranks(const Token& token, size_t count, int64_t timeout_ms,
                      std::vector<int>& fds, std::vector<RankHello>& hellos);

 private:
  int fd_ = -1;
  LifelineAddress address_;
};

// A rank's end: connects to the owner (every address in turn), proves the
// token, and returns the descriptor. Throws std::runtime_error with every
// address's reason.
int lifeline_connect(const LifelineAddress& to, const Token& token, const RankHello& hello,
                     int64_t timeout_ms);

// The owner's check of one lifeline: true when it reached end of file or
// failed (the rank's process ended), with *why saying which; bytes a rank
// sends are read and ignored. Never blocks.
bool lifeline_closed(int fd, std::string* why);
// Several at once (one poll): closed[i] is set for each that is.
void lifelines_closed(const std::vector<int>& fds, std::vector<bool>& closed,
                      std::vector<std::string>& why);

// Asks the rank at the other end to end now.
void lifeline_send_kill(int fd) noexcept;
// Tells the rank at the other end that the work of pool `pool` is
// cancelled (LifelineWatch::cancelled).
void lifeline_send_cancel(int fd, uint64_t pool) noexcept;

// Waits up to `timeout_ms` for every lifeline in `fds` to reach end of
// file (each rank closes its end when it leaves on purpose).
void lifelines_wait_closed(const std::vector<int>& fds, int64_t timeout_ms);

// A rank's watch on its lifeline: a thread that ends the process at once
// when the owner asks (terminate) or is gone, unless the rank is leaving
// on its own (leave()), and notes the pools the owner cancels.
class LifelineWatch {
 public:
  explicit LifelineWatch(int fd);
  ~LifelineWatch();
  LifelineWatch(const LifelineWatch&) = delete;
  LifelineWatch& operator=(const LifelineWatch&) = delete;
  // Closes this end on purpose (the owner sees end of file) and stops
  // watching.
  void leave() noexcept;
  // Whether the owner cancelled pool `pool` (the latest cancel counts).
  bool cancelled(uint64_t pool) const noexcept { return cancelled_.load() == pool; }

 private:
  void watch() noexcept;
  // Acts on what the owner sent; false once it asked for the end.
  void take(const char* bytes, size_t n) noexcept;
  int fd_;
  std::atomic<bool> leaving_{false};
  std::atomic<uint64_t> cancelled_{0};
  char pending_[9];  // a cancel being read: its byte and pool number
  size_t pending_len_ = 0;
  std::thread thread_;
};

// CLOCK_MONOTONIC in milliseconds.
int64_t now_ms();

// The random bytes of a token.
Token new_token();

// A short description of an address ("192.0.2.2:40123").
std::string describe(uint32_t ipv4, uint16_t port);

}  // namespace mproc::mpi
