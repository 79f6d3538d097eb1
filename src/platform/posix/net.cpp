// platform/net.hpp on POSIX: Unix-domain sockets (paths, and Linux's
// abstract names: a sockaddr_un whose path starts with a NUL byte, which
// only Linux's kernel accepts) and TCP over IPv4 and IPv6.
#include "platform/net.hpp"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "platform/error.hpp"

namespace mproc::platform {
namespace {

using Kind = NetAddress::Kind;

// How messages name an address: as the program wrote it.
const std::string& describe(const NetAddress& a) { return a.text; }

// A sockaddr_un for a path or an abstract name; *len is the length to
// pass: an abstract name's exact length, as Python binds it (the kernel
// compares the whole length, so padding would make another name).
sockaddr_un unix_address(const NetAddress& a, socklen_t* len) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  bool abstract = a.kind == Kind::kAbstract;
  size_t need = a.host.size() + 1;  // the NUL after a path, or before a name
  if (a.host.empty())
    fail(MPROC_EINVAL, describe(a) + ": an empty " + (abstract ? "name" : "path"));
  if (need > sizeof sa.sun_path)
    fail(MPROC_ENAMETOOLONG, describe(a) + ": longer than a socket address holds (" +
                                 std::to_string(sizeof sa.sun_path - 1) + " bytes)");
  if (a.host.find('\0') != std::string::npos)
    fail(MPROC_EINVAL, describe(a) + ": holds a NUL byte");
  std::memcpy(sa.sun_path + (abstract ? 1 : 0), a.host.data(), a.host.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + need);
  return sa;
}

UniqueFd new_socket(int family, const std::string& what) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) fail_errno(what + ": socket");
  return fd;
}

void set_int_option(int fd, int level, int name, int value, const std::string& what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) fail_errno(what);
}

struct AddrInfoFree {
  void operator()(addrinfo* ai) const noexcept { ::freeaddrinfo(ai); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoFree>;

AddrInfo resolve(const NetAddress& a, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  std::string port = std::to_string(a.port);
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &found);
  if (rc == EAI_SYSTEM) fail_errno(describe(a) + ": resolving the host");
  if (rc != 0 || found == nullptr)
    fail(MPROC_ENOTFOUND, describe(a) + ": the host does not resolve (" + gai_strerror(rc) + ")");
  return AddrInfo(found);
}

// "127.0.0.1" / "::1" and the port of an IP socket address.
void numeric(const sockaddr* sa, std::string* host, uint16_t* port) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    *port = ntohs(in6->sin6_port);
  } else {
    auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text);
    *port = ntohs(in4->sin_port);
  }
  *host = text;
}

std::string peer_of(int fd, const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
    std::string host;
    uint16_t port;
    numeric(reinterpret_cast<const sockaddr*>(&ss), &host, &port);
    if (ss.ss_family == AF_INET6) host = "[" + host + "]";
    return host + ":" + std::to_string(port);
  }
#ifdef SO_PEERCRED
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
    return "local peer (pid " + std::to_string(cred.pid) + ")";
#else
  (void)fd;
#endif
  return "local peer";
}

UniqueFd listen_unix(const NetAddress& a, int backlog, ListenCleanup* cleanup) {
  socklen_t len;
  sockaddr_un sa = unix_address(a, &len);
  UniqueFd fd = new_socket(AF_UNIX, "listen on " + describe(a));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
    fail_errno("listen on " + describe(a) + ": bind");
  if (a.kind == Kind::kUnixPath) {
    // Before listen: until then a connect is refused, so no peer ever
    // reaches the socket while its mode is still the umask's.
    struct stat st;
    if (::chmod(a.host.c_str(), 0600) != 0 || ::stat(a.host.c_str(), &st) != 0) {
      int err = errno;
      ::unlink(a.host.c_str());
      fail_errno("listen on " + describe(a) + ": chmod 0600", err);
    }
    cleanup->path = a.host;
    cleanup->dev = static_cast<uint64_t>(st.st_dev);
    cleanup->ino = static_cast<uint64_t>(st.st_ino);
  }
  if (::listen(fd.get(), backlog) != 0) {
    int err = errno;
    remove_listen_files(*cleanup);
    cleanup->path.clear();
    fail_errno("listen on " + describe(a), err);
  }
  return fd;
}

UniqueFd listen_tcp(const NetAddress& a, int backlog, NetAddress* bound) {
  AddrInfo ai = resolve(a, true);
  const addrinfo* first = ai.get();
  std::string what = "listen on " + describe(a);
  UniqueFd fd = new_socket(first->ai_family, what);
  set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, what + ": SO_REUSEADDR");
  if (first->ai_family == AF_INET6)
    set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, what + ": IPV6_V6ONLY");
  if (::bind(fd.get(), first->ai_addr, first->ai_addrlen) != 0) fail_errno(what + ": bind");
  if (::listen(fd.get(), backlog) != 0) fail_errno(what);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    fail_errno(what + ": getsockname");
  bound->kind = Kind::kTcp;
  numeric(reinterpret_cast<sockaddr*>(&ss), &bound->host, &bound->port);
  return fd;
}

// Whether a non-blocking connect finished: 0, or its errno.
int connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

UniqueFd connect_unix(const NetAddress& a, const Deadline& deadline) {
  socklen_t len;
  sockaddr_un sa = unix_address(a, &len);
  std::string what = "connect to " + describe(a);
  UniqueFd fd = new_socket(AF_UNIX, what);
  // A full backlog makes a Unix socket's connect say EAGAIN, and nothing
  // signals when it has room: try again, a little later each time.
  int64_t pause_ns = 1000000;
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) == 0) return fd;
    if (errno == EINTR) continue;
    if (errno == EINPROGRESS) {
      if (!wait_fd(fd.get(), IoWant::kWrite, deadline))
        fail(MPROC_ETIMEDOUT, what + ": timed out");
      int err = connect_result(fd.get());
      if (err != 0) fail_errno(what, err);
      return fd;
    }
    if (errno != EAGAIN) fail_errno(what);
    if (deadline.expired()) fail(MPROC_ETIMEDOUT, what + ": the listener's backlog stayed full");
    int64_t left = deadline.remaining_ns();
    std::this_thread::sleep_for(std::chrono::nanoseconds(pause_ns < left ? pause_ns : left));
    if (pause_ns < 50000000) pause_ns *= 2;
  }
}

UniqueFd connect_tcp(const NetAddress& a, const Deadline& deadline) {
  AddrInfo ai = resolve(a, false);
  std::string what = "connect to " + describe(a);
  int last_err = ECONNREFUSED;
  for (const addrinfo* p = ai.get(); p != nullptr; p = p->ai_next) {
    UniqueFd fd = new_socket(p->ai_family, what);
    int rc;
    do {
      rc = ::connect(fd.get(), p->ai_addr, p->ai_addrlen);
    } while (rc != 0 && errno == EINTR);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      if (!wait_fd(fd.get(), IoWant::kWrite, deadline))
        fail(MPROC_ETIMEDOUT, what + ": timed out");
      err = connect_result(fd.get());
    }
    if (err == 0) {
      set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, what + ": TCP_NODELAY");
      return fd;
    }
    last_err = err;
  }
  fail_errno(what, last_err);
}

}  // namespace

UniqueFd listen_on(const NetAddress& addr, int backlog, NetAddress* bound,
                   ListenCleanup* cleanup) {
  if (addr.kind == Kind::kTcp) return listen_tcp(addr, backlog, bound);
  UniqueFd fd = listen_unix(addr, backlog, cleanup);
  *bound = addr;
  return fd;
}

NetAddress private_listen_address(ListenCleanup* cleanup) {
  const char* tmp = ::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/mproc-XXXXXX";
  // mkdtemp makes the directory 0700: only this user reaches the socket.
  if (::mkdtemp(&dir[0]) == nullptr) fail_errno("listener: a private directory in " + dir);
  cleanup->private_dir = dir;
  NetAddress a;
  a.kind = Kind::kUnixPath;
  a.host = dir + "/listener";
  a.text = "unix:" + a.host;
  return a;
}

void remove_listen_files(const ListenCleanup& cleanup) noexcept {
  if (!cleanup.path.empty()) {
    // Only the socket this listener made: another listener may have taken
    // the path since (Python unlinks blindly).
    struct stat st;
    if (::lstat(cleanup.path.c_str(), &st) == 0 &&
        static_cast<uint64_t>(st.st_dev) == cleanup.dev &&
        static_cast<uint64_t>(st.st_ino) == cleanup.ino)
      ::unlink(cleanup.path.c_str());
  }
  if (!cleanup.private_dir.empty()) ::rmdir(cleanup.private_dir.c_str());
}

bool accept_nowait(int listen_fd, UniqueFd* out, std::string* peer) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    // Blocking, as the connection's socket pairs are: its steps that must
    // not wait say so (MSG_DONTWAIT), and a receive with no deadline waits
    // in the read itself.
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      // A connection that was reset while queued is simply gone.
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      fail_errno("listener: accept");
    }
    out->reset(fd);
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    *peer = peer_of(fd, ss);
    return true;
  }
}

UniqueFd connect_to(const NetAddress& addr, const Deadline& deadline) {
  UniqueFd fd = addr.kind == Kind::kTcp ? connect_tcp(addr, deadline)
                                        : connect_unix(addr, deadline);
  set_nonblocking(fd.get(), false);  // as accept_nowait's
  return fd;
}

}  // namespace mproc::platform
