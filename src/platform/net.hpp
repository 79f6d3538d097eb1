// Sockets that unrelated processes meet on: listening on an address,
// taking connections without waiting, and connecting with a deadline.
// Every socket made here is close-on-exec. Listening sockets are
// non-blocking; connected ones are blocking, as socket pairs are (the
// steps of stream_io.hpp that must not wait say so themselves). TCP
// sockets that carry messages have Nagle's algorithm off (a request/reply
// costs a round trip, not a delayed ACK).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::platform {

// Where to listen or connect (parsed and printed by core/net/net_address).
struct NetAddress {
  enum class Kind {
    kUnixPath,  // a socket file: `host` is its path
    kAbstract,  // Linux's abstract namespace: `host` is the name (no NUL)
    kTcp,       // `host` is a name, an IPv4 or an IPv6 address (no brackets)
  };
  Kind kind = Kind::kUnixPath;
  std::string host;
  uint16_t port = 0;
  std::string text;  // as the program wrote it, for messages
};

// What a listener made that it must remove when it closes: a socket file
// (removed only while it is still the same file) and the private
// directory it was made in, if the library made one.
struct ListenCleanup {
  std::string path;
  uint64_t dev = 0;
  uint64_t ino = 0;
  std::string private_dir;
};

// Listens on `addr` with `backlog`. A socket file gets mode 0600 before
// the socket accepts anything. *bound gets the address as bound (the port
// the system chose for port 0). Throws: EADDRINUSE, EACCES, ENOENT,
// ENAMETOOLONG (a path longer than a socket address holds), ENOTSUP (an
// abstract name where there are none), EINVAL (a host that does not
// resolve).
UniqueFd listen_on(const NetAddress& addr, int backlog, NetAddress* bound,
                   ListenCleanup* cleanup);
// Where a listener given no address listens: on POSIX a socket file in a
// new private directory (mode 0700), on Windows TCP on 127.0.0.1 with a
// port the system picks. The directory goes into *cleanup.
NetAddress private_listen_address(ListenCleanup* cleanup);
// Removes what listen_on and private_listen_address made. Never throws.
void remove_listen_files(const ListenCleanup& cleanup) noexcept;

// Takes one waiting connection: false when none waits. *peer describes
// the peer for messages ("127.0.0.1:40312", "[::1]:40312", "local peer
// (pid 1234)"). Throws for a failure of the listening socket itself
// (EMFILE, ENFILE, ENOMEM); a connection that died while queued is
// skipped.
bool accept_nowait(int listen_fd, UniqueFd* out, std::string* peer);

// Connects to `addr` before the deadline (every resolved address in
// turn). Throws: ECONNREFUSED, ENOENT (no such socket file), ETIMEDOUT,
// EINVAL (a host that does not resolve), and other OS errors.
UniqueFd connect_to(const NetAddress& addr, const Deadline& deadline);

// A descriptor that is readable while set: for a thread to tell an event
// loop (or a wait_any) that something is ready. On POSIX a pipe, on
// Windows a manual-reset event. Thread-safe.
class Notifier {
 public:
  Notifier();  // throws
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  int fd() const noexcept { return read_fd_; }
  void set() noexcept;
  void clear() noexcept;

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;  // unused where one handle does both
  std::mutex mu_;
  bool set_ = false;
};

}  // namespace mproc::platform
