// Windows byte pipes for connections, bootstrap and command streams: named
// pipes with a random name under \\.\pipe\, one instance, local clients
// only, readable and writable by this user only, opened for overlapped I/O
// on our side so every wait can have a deadline and several pipes can be
// waited on at once.
//
// Pipe mirrors src/platform/stream_io.hpp and fd.hpp on one end: single
// non-blocking steps plus separate waits, and write_all/read_exact on top.
// It keeps state between steps (a write in flight, a readiness probe), so
// it is an object rather than a bare handle; an adapter keeps one per
// descriptor. One thread sends and one receives at a time (the Connection
// already serialises each direction); the two directions may overlap.
#pragma once

#include <windows.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "platform/deadline.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {

// What recv_nowait returns when nothing has arrived yet (as stream_io.hpp).
inline constexpr long long kPipeNothingYet = -1;

class Pipe {
 public:
  // Takes over `h`, which must have been opened with FILE_FLAG_OVERLAPPED.
  explicit Pipe(UniqueHandle h);
  // A Pipe taking over `h` once it exists: if making it fails (it throws),
  // `h` is left open and still the caller's.
  static std::shared_ptr<Pipe> adopt(HANDLE h);
  ~Pipe();  // close()
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  HANDLE handle() const noexcept { return h_.get(); }
  // Gives the handle back unclosed; only for a Pipe no step has used yet.
  HANDLE release_handle() noexcept { return h_.release(); }

  // Sends from head+body (from offset `skip` on) without waiting: returns
  // the bytes taken, 0 while an earlier send is still in flight. Bytes
  // taken are copied and on their way, as in a socket's buffer: the peer
  // gets them even if this end closes at once. Throws MPROC_EPIPE when the
  // peer is gone.
  size_t send_nowait(const void* head, size_t head_len, const void* body, size_t body_len,
                     size_t skip);
  // Receives up to `len` bytes without waiting: the count, 0 at the end of
  // the stream (the peer closed or died), kPipeNothingYet when nothing is
  // there. Throws other errors.
  long long recv_nowait(void* data, size_t len);
  // Until something can be received (or the end is reached) / a send can
  // take bytes. False when the deadline passed first.
  bool wait_readable(const Deadline& deadline);
  bool wait_writable(const Deadline& deadline);

  // For waiting on several pipes (and processes) at once: null when the
  // pipe can be read now (data or end of stream), otherwise an event that
  // is signalled once it can. The probe stays armed between calls.
  HANDLE readable_event();
  // The same for sending: null when a send can take bytes now (no write
  // in flight, or the one in flight has finished), otherwise the event of
  // the write in flight.
  HANDLE writable_event();

  // fd.hpp's contracts: write_all returns false at the deadline (*written
  // bytes sent) and throws EPIPE; read_exact returns false at end of
  // stream (*got read) and throws ETIMEDOUT at the deadline.
  bool write_all(const void* data, size_t len, const Deadline& deadline,
                 size_t* written = nullptr);
  bool read_exact(void* data, size_t len, const Deadline& deadline, size_t* got = nullptr);

  // The process at the other end, for what only it can take (a socket
  // shared with WSADuplicateSocketW names its receiver): 0 while unknown.
  // Learnt when the other end is handed to a child we start (the partner
  // below) or a record arrives from it (fdpass.cpp).
  uint32_t peer_pid() const noexcept { return peer_pid_.load(); }
  void set_peer_pid(uint32_t pid) noexcept { peer_pid_.store(pid); }
  // The other end, when both were made by this process; set once, before
  // the descriptors are handed out.
  std::shared_ptr<Pipe> partner() const noexcept { return partner_.lock(); }
  void set_partner(const std::shared_ptr<Pipe>& other) noexcept { partner_ = other; }

  // Closes this end. A send still in flight is left to finish (or fail when
  // the peer goes) on its own, as a socket lingers; a pending probe is
  // cancelled.
  void close() noexcept;

  struct Op;  // one overlapped operation and its event (opaque)

 private:
  void settle_write();
  void drop_probe() noexcept;

  UniqueHandle h_;
  std::unique_ptr<Op> write_;  // the send in flight, if any
  std::unique_ptr<Op> probe_;  // the zero-byte read that waits for data
  bool probing_ = false;
  bool peer_gone_ = false;
  std::atomic<uint32_t> peer_pid_{0};
  std::weak_ptr<Pipe> partner_;
};

struct PipePair {
  UniqueHandle server;  // overlapped
  UniqueHandle client;
};

// A pipe under a fresh random name with exactly one instance, for this
// user only, already connected: `open_mode` gives the server's direction
// (PIPE_ACCESS_*), `client_access` the client's rights. Neither end is
// inheritable. Throws. (win/pipes.cpp)
PipePair make_pipe_pair(DWORD open_mode, DWORD client_access, bool client_overlapped);

}  // namespace mproc::platform::winproc
