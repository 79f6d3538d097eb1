#include "mpi/lifeline.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace mproc::mpi {
namespace {

constexpr uint32_t kHelloMagic = 0x6d706c68;  // "mplh"
constexpr uint32_t kAckMagic = 0x6d706c61;    // "mpla"
// What the owner sends down a lifeline: the kill byte, or the cancel byte
// and a pool number (8 bytes).
constexpr char kKillByte = 'T';
constexpr char kCancelByte = 'C';
// The status a rank ends with when told to, or when its owner is gone.
constexpr int kEndedStatus = 1;

struct HelloWire {
  uint32_t magic;
  uint32_t index;
  Token token;
  int64_t pid;
  char host[64];
};
struct AckWire {
  uint32_t magic;
  Token token;
};

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool wait_ready(int fd, short events, int64_t deadline_ms) {
  for (;;) {
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return false;
  }
}

// Reads or writes exactly `len` bytes on a non-blocking socket before the
// deadline.
bool read_all(int fd, void* buf, size_t len, int64_t deadline_ms) {
  auto* p = static_cast<char*>(buf);
  while (len > 0) {
    ssize_t n = ::recv(fd, p, len, 0);
    if (n > 0) {
      p += n;
      len -= static_cast<size_t>(n);
    } else if (n == 0) {
      return false;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      if (!wait_ready(fd, POLLIN, deadline_ms)) return false;
    } else {
      return false;
    }
  }
  return true;
}

bool write_all(int fd, const void* buf, size_t len, int64_t deadline_ms) {
  auto* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = ::send(fd, p, len, MSG_NOSIGNAL);
    if (n > 0) {
      p += n;
      len -= static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_ready(fd, POLLOUT, deadline_ms)) return false;
    } else {
      return false;
    }
  }
  return true;
}

int tcp_socket() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) throw std::runtime_error(errno_text("lifeline socket", errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // A host that vanishes (rather than a process) is noticed too, in time.
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  return fd;
}

// This host's IPv4 addresses: those of interfaces that are up, the ones
// other hosts may reach first, loopback last.
std::vector<uint32_t> own_addresses() {
  std::vector<uint32_t> outward, loopback;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
      if ((a->ifa_flags & IFF_UP) == 0) continue;
      uint32_t ip = reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr;
      ((a->ifa_flags & IFF_LOOPBACK) != 0 ? loopback : outward).push_back(ip);
    }
    ::freeifaddrs(list);
  }
  if (loopback.empty()) loopback.push_back(htonl(INADDR_LOOPBACK));
  outward.insert(outward.end(), loopback.begin(), loopback.end());
  return outward;
}

}  // namespace

int64_t now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string describe(uint32_t ipv4, uint16_t port) {
  char text[INET_ADDRSTRLEN] = "?";
  in_addr a{};
  a.s_addr = ipv4;
  ::inet_ntop(AF_INET, &a, text, sizeof text);
  return std::string(text) + ":" + std::to_string(port);
}

Token new_token() {
  Token t;
  size_t got = 0;
  while (got < sizeof t.bytes) {
    ssize_t n = ::getrandom(t.bytes + got, sizeof t.bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
    else if (errno != EINTR) throw std::runtime_error(errno_text("getrandom", errno));
  }
  return t;
}

// ---- The owner's side -----------------------------------------------------------

LifelineListener::LifelineListener() {
  fd_ = tcp_socket();
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof sa;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 128) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    int err = errno;
    ::close(fd_);
    throw std::runtime_error(errno_text("lifeline listener", err));
  }
  address_.port = ntohs(sa.sin_port);
  address_.ipv4 = own_addresses();
}

LifelineListener::~LifelineListener() {
  if (fd_ >= 0) ::close(fd_);
}

size_t LifelineListener::accept_ranks(const Token& token, size_t count, int64_t timeout_ms,
                                      std::vector<int>& fds, std::vector<RankHello>& hellos) {
  int64_t deadline = now_ms() + timeout_ms;
  auto missing = [&] {
    size_t n = 0;
    for (size_t i = 0; i < count; ++i) n += fds[i] < 0 ? 1 : 0;
    return n;
  };
  while (missing() > 0 && wait_ready(fd_, POLLIN, deadline)) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    // A peer gets a few seconds to prove itself, so a stray connection
    // cannot hold up the others for long.
    HelloWire hello{};
    int64_t hello_deadline = std::min(deadline, now_ms() + 5000);
    bool ok = read_all(fd, &hello, sizeof hello, hello_deadline) && hello.magic == kHelloMagic &&
              std::memcmp(&hello.token, &token, sizeof token) == 0 && hello.index < count &&
              fds[hello.index] < 0;
    AckWire ack{kAckMagic, token};
    if (ok) ok = write_all(fd, &ack, sizeof ack, hello_deadline);
    if (!ok) {
      ::close(fd);
      continue;
    }
    fds[hello.index] = fd;
    hellos[hello.index].index = hello.index;
    hellos[hello.index].pid = hello.pid;
    hellos[hello.index].host.assign(hello.host, strnlen(hello.host, sizeof hello.host));
  }
  return missing();
}

bool lifeline_closed(int fd, std::string* why) {
  char buf[64];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;  // a rank says nothing on purpose: ignore it
    if (n == 0) {
      *why = "its lifeline reached end of file (the process ended)";
      return true;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    *why = errno_text("its lifeline failed", errno);
    return true;
  }
}

void lifelines_closed(const std::vector<int>& fds, std::vector<bool>& closed,
                      std::vector<std::string>& why) {
  std::vector<pollfd> polls;
  polls.reserve(fds.size());
  for (int fd : fds) polls.push_back({fd, POLLIN, 0});
  closed.assign(fds.size(), false);
  why.assign(fds.size(), std::string());
  if (::poll(polls.data(), polls.size(), 0) <= 0) return;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i] < 0 || polls[i].revents == 0) continue;
    std::string reason;
    if (lifeline_closed(fds[i], &reason)) {
      closed[i] = true;
      why[i] = reason;
    }
  }
}

void lifeline_send_kill(int fd) noexcept {
  char byte = kKillByte;
  (void)::send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void lifeline_send_cancel(int fd, uint64_t pool) noexcept {
  char msg[1 + sizeof pool];
  msg[0] = kCancelByte;
  std::memcpy(msg + 1, &pool, sizeof pool);
  (void)::send(fd, msg, sizeof msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void lifelines_wait_closed(const std::vector<int>& fds, int64_t timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  std::vector<bool> open(fds.size());
  for (size_t i = 0; i < fds.size(); ++i) open[i] = fds[i] >= 0;
  for (;;) {
    std::vector<pollfd> polls;
    std::vector<size_t> which;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!open[i]) continue;
      polls.push_back({fds[i], POLLIN, 0});
      which.push_back(i);
    }
    int64_t left = deadline - now_ms();
    if (polls.empty() || left <= 0) return;
    int rc = ::poll(polls.data(), polls.size(), static_cast<int>(left));
    if (rc < 0 && errno != EINTR) return;
    for (size_t k = 0; k < polls.size(); ++k) {
      std::string why;
      if (polls[k].revents != 0 && lifeline_closed(polls[k].fd, &why)) open[which[k]] = false;
    }
  }
}

// ---- The rank's side ------------------------------------------------------------

int lifeline_connect(const LifelineAddress& to, const Token& token, const RankHello& hello,
                     int64_t timeout_ms) {
  HelloWire wire{};
  wire.magic = kHelloMagic;
  wire.index = hello.index;
  wire.token = token;
  wire.pid = hello.pid;
  std::snprintf(wire.host, sizeof wire.host, "%s", hello.host.c_str());
  std::string reasons;
  int64_t deadline = now_ms() + timeout_ms;
  for (uint32_t ip : to.ipv4) {
    // Each address gets its share of what is left, so that one that drops
    // packets cannot use up the time of those after it.
    int64_t share = std::max<int64_t>(1000, (deadline - now_ms()) / 2);
    int64_t until = std::min(deadline, now_ms() + share);
    std::string where = describe(ip, to.port);
    int fd = tcp_socket();
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = ip;
    sa.sin_port = htons(to.port);
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    int err = rc == 0 ? 0 : errno;
    if (rc != 0 && err == EINPROGRESS) {
      err = ETIMEDOUT;
      if (wait_ready(fd, POLLOUT, until)) {
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    AckWire ack{};
    if (err == 0 && write_all(fd, &wire, sizeof wire, until) &&
        read_all(fd, &ack, sizeof ack, until) && ack.magic == kAckMagic &&
        std::memcmp(&ack.token, &token, sizeof token) == 0)
      return fd;
    reasons += (reasons.empty() ? "" : "; ") + where + ": " +
               (err != 0 ? std::strerror(err) : "no answer from the pool's owner");
    ::close(fd);
  }
  throw std::runtime_error("could not reach the pool's owner on its lifeline (" + reasons + ")");
}

LifelineWatch::LifelineWatch(int fd) : fd_(fd) {
  thread_ = std::thread([this] { watch(); });
}

LifelineWatch::~LifelineWatch() { leave(); }

void LifelineWatch::take(const char* bytes, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) {
    if (pending_len_ > 0) {
      pending_[pending_len_++] = bytes[i];
      if (pending_len_ < sizeof pending_) continue;
      uint64_t pool;
      std::memcpy(&pool, pending_ + 1, sizeof pool);
      cancelled_.store(pool);
      pending_len_ = 0;
    } else if (bytes[i] == kCancelByte) {
      pending_[pending_len_++] = bytes[i];
    } else if (bytes[i] == kKillByte) {
      ::_exit(kEndedStatus);  // terminate: at once
    }
  }
}

void LifelineWatch::watch() noexcept {
  char buf[64];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, -1);
    if (rc < 0 && errno == EINTR) continue;
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (leaving_.load()) return;
    if (n > 0) {
      take(buf, static_cast<size_t>(n));
      continue;
    }
    static const char msg[] = "mproc: MPI worker: the pool's owner is gone; exiting\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(kEndedStatus);  // no owner to serve
  }
}

void LifelineWatch::leave() noexcept {
  if (!thread_.joinable()) return;
  leaving_.store(true);
  ::shutdown(fd_, SHUT_RDWR);
  thread_.join();
  ::close(fd_);
  fd_ = -1;
}

}  // namespace mproc::mpi
