// Listener: Python's multiprocessing.connection.Listener. Accepts
// connections on an address and authenticates each with the handshake of
// core/net/handshake.hpp before handing it out as a Connection.
//
// One helper thread per listener takes connections and runs their
// handshakes, all at once and without blocking on any one peer: a peer
// that sends garbage, announces a huge message, never finishes (each has
// handshake_timeout_ms) or vanishes costs only itself. Finished
// connections, and the failures of peers that did not authenticate, wait
// in a queue for accept(). While handshakes in flight plus connections
// waiting reach max_pending, the thread takes no new connection: the
// kernel's backlog holds them, then refuses them. So memory and
// descriptors stay bounded however many peers come.
//
// A fork child gets no helper thread: a listener is used in the process
// that made it. In a fork child every call says ECLOSED, and freeing it
// there closes the child's copies of its descriptors and nothing else (the
// parent's socket file stays).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/connection.hpp"
#include "core/net/net_options.hpp"
#include "platform/deadline.hpp"
#include "platform/fd.hpp"
#include "platform/net.hpp"

namespace mproc::core {

class Listener {
 public:
  // `address` null: a private address of the platform's choosing.
  // Throws (EINVAL for a bad address, EADDRINUSE, ...).
  Listener(const std::string* address, NetOptions options);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // 0 with *out; MPROC_ETIMEDOUT; MPROC_ECLOSED; or, with report_failures,
  // a peer that failed to authenticate: its code (MPROC_EAUTH, or the OS
  // error of the listening socket) with the reason in *why.
  int accept(std::shared_ptr<Connection>* out, std::string* why,
             const platform::Deadline& deadline);
  // The address as bound, in the text form (the port filled in).
  const std::string& address() const noexcept { return address_; }
  // Readable while accept() would not wait.
  int fileno() const;
  bool ready_now();
  void close();

 private:
  struct Result {
    std::shared_ptr<Connection> conn;  // null for a failure
    int code = 0;
    std::string why;
  };
  struct Pending;

  void run() noexcept;
  // Throws ECLOSED in a fork child (see above).
  void check_here() const;
  bool here() const noexcept;
  void serve();
  void publish(Result r);

  NetOptions options_;
  std::string key_;
  platform::UniqueFd listen_fd_;
  platform::ListenCleanup cleanup_;
  std::string address_;
  platform::Notifier ready_;  // set while results_ is not empty
  // Wakes the thread: to end (closed_), or because accept() made room.
  platform::Notifier wake_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Result> results_;
  bool closed_ = false;
  bool thread_done_ = false;
  std::thread thread_;
  uint64_t generation_;  // the fork generation of the process that made it
};

}  // namespace mproc::core
