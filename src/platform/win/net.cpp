// platform/net.hpp on Windows: Winsock TCP over IPv4 and IPv6, and
// AF_UNIX socket files (Windows 10 1803 and later; afunix.h). Linux's
// abstract names have no Windows counterpart: ENOTSUP. Every socket is
// made non-inheritable (WSA_FLAG_NO_HANDLE_INHERIT) and entered among the
// library's sockets (sockets.hpp), so UniqueFd closes it with closesocket.
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <windows.h>

#include <mproc/common.h>

#include <cstring>
#include <string>

#include "platform/error.hpp"
#include "platform/net.hpp"
#include "sockets.hpp"
#include "win32_error.hpp"
#include "winproc.hpp"

namespace mproc::platform {
namespace {

using Kind = NetAddress::Kind;
using winproc::fail_wsa;

const std::string& describe(const NetAddress& a) { return a.text; }

SOCKET socket_of(int fd) noexcept {
  return reinterpret_cast<SOCKET>(winproc::handle_from_int(fd));
}

// A new socket of the library's, not inheritable.
UniqueFd new_socket(int family, const std::string& what) {
  winproc::start_winsock();
  SOCKET s = WSASocketW(family, SOCK_STREAM, 0, nullptr, 0,
                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) fail_wsa(what + ": socket", WSAGetLastError());
  return UniqueFd(winproc::adopt_socket(s));
}

void set_int_option(int fd, int level, int name, int value, const std::string& what) {
  if (setsockopt(socket_of(fd), level, name, reinterpret_cast<const char*>(&value),
                 sizeof value) != 0)
    fail_wsa(what, WSAGetLastError());
}

sockaddr_un unix_address(const NetAddress& a, int* len) {
  if (a.kind == Kind::kAbstract)
    fail(MPROC_ENOTSUP, describe(a) + ": abstract socket names are Linux's");
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (a.host.empty()) fail(MPROC_EINVAL, describe(a) + ": an empty path");
  if (a.host.size() + 1 > sizeof sa.sun_path)
    fail(MPROC_ENAMETOOLONG, describe(a) + ": longer than a socket address holds (" +
                                 std::to_string(sizeof sa.sun_path - 1) + " bytes)");
  std::memcpy(sa.sun_path, a.host.data(), a.host.size());
  *len = static_cast<int>(sizeof sa);
  return sa;
}

struct AddrInfo {
  ADDRINFOA* list = nullptr;
  ~AddrInfo() {
    if (list != nullptr) freeaddrinfo(list);
  }
};

void resolve(const NetAddress& a, bool passive, AddrInfo* out) {
  winproc::start_winsock();
  ADDRINFOA hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  std::string port = std::to_string(a.port);
  int rc = getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &out->list);
  if (rc != 0 || out->list == nullptr)
    fail(MPROC_ENOTFOUND, describe(a) + ": the host does not resolve (Winsock error " +
                              std::to_string(rc) + ")");
}

void numeric(const sockaddr* sa, std::string* host, uint16_t* port) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    *port = ntohs(in6->sin6_port);
  } else {
    auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text);
    *port = ntohs(in4->sin_port);
  }
  *host = text;
}

}  // namespace

UniqueFd listen_on(const NetAddress& addr, int backlog, NetAddress* bound,
                   ListenCleanup* cleanup) {
  std::string what = "listen on " + describe(addr);
  if (addr.kind != Kind::kTcp) {
    int len;
    sockaddr_un sa = unix_address(addr, &len);
    UniqueFd fd = new_socket(AF_UNIX, what);
    if (bind(socket_of(fd.get()), reinterpret_cast<sockaddr*>(&sa), len) != 0)
      fail_wsa(what + ": bind", WSAGetLastError());
    cleanup->path = addr.host;
    if (listen(socket_of(fd.get()), backlog) != 0) {
      int err = WSAGetLastError();
      remove_listen_files(*cleanup);
      cleanup->path.clear();
      fail_wsa(what, err);
    }
    *bound = addr;
    return fd;
  }
  AddrInfo ai;
  resolve(addr, true, &ai);
  const ADDRINFOA* first = ai.list;
  UniqueFd fd = new_socket(first->ai_family, what);
  // Windows' SO_REUSEADDR lets another socket take a port in use; its
  // SO_EXCLUSIVEADDRUSE is the POSIX behaviour.
  set_int_option(fd.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1, what + ": SO_EXCLUSIVEADDRUSE");
  if (first->ai_family == AF_INET6)
    set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, what + ": IPV6_V6ONLY");
  if (bind(socket_of(fd.get()), first->ai_addr, static_cast<int>(first->ai_addrlen)) != 0)
    fail_wsa(what + ": bind", WSAGetLastError());
  if (listen(socket_of(fd.get()), backlog) != 0) fail_wsa(what, WSAGetLastError());
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (getsockname(socket_of(fd.get()), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    fail_wsa(what + ": getsockname", WSAGetLastError());
  bound->kind = Kind::kTcp;
  numeric(reinterpret_cast<sockaddr*>(&ss), &bound->host, &bound->port);
  return fd;
}

NetAddress private_listen_address(ListenCleanup*) {
  // Python's default on Windows is a named pipe; TCP on the loopback
  // address serves the same purpose here, reachable from this machine only.
  NetAddress a;
  a.kind = Kind::kTcp;
  a.host = "127.0.0.1";
  a.text = "tcp:127.0.0.1:0";
  return a;
}

void remove_listen_files(const ListenCleanup& cleanup) noexcept {
  // Windows has no inode to compare: the socket file goes by its path.
  if (!cleanup.path.empty()) DeleteFileA(cleanup.path.c_str());
}

bool accept_nowait(int listen_fd, UniqueFd* out, std::string* peer) {
  for (;;) {
    sockaddr_storage ss{};
    int len = sizeof ss;
    SOCKET s = accept(socket_of(listen_fd), reinterpret_cast<sockaddr*>(&ss), &len);
    if (s == INVALID_SOCKET) {
      int err = WSAGetLastError();
      if (err == WSAEWOULDBLOCK) return false;
      if (err == WSAECONNRESET || err == WSAEINTR) continue;  // gone while queued
      fail_wsa("listener: accept", err);
    }
    // Not inheritable, and without the listening socket's event selection,
    // which an accepted socket starts with.
    SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);
    WSAEventSelect(s, nullptr, 0);
    out->reset(winproc::adopt_socket(s));
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
      int one = 1;
      setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
      std::string host;
      uint16_t port;
      numeric(reinterpret_cast<sockaddr*>(&ss), &host, &port);
      *peer = (ss.ss_family == AF_INET6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    } else {
      *peer = "local peer";
    }
    return true;
  }
}

UniqueFd connect_to(const NetAddress& addr, const Deadline& deadline) {
  std::string what = "connect to " + describe(addr);
  if (addr.kind != Kind::kTcp) {
    int len;
    sockaddr_un sa = unix_address(addr, &len);
    UniqueFd fd = new_socket(AF_UNIX, what);
    if (connect(socket_of(fd.get()), reinterpret_cast<sockaddr*>(&sa), len) != 0) {
      int err = WSAGetLastError();
      // A missing socket file: as ENOENT on POSIX.
      if (GetFileAttributesA(addr.host.c_str()) == INVALID_FILE_ATTRIBUTES)
        fail(MPROC_ENOENT, what + ": no such socket file");
      fail_wsa(what, err);
    }
    return fd;
  }
  AddrInfo ai;
  resolve(addr, false, &ai);
  int last_err = WSAECONNREFUSED;
  for (const ADDRINFOA* p = ai.list; p != nullptr; p = p->ai_next) {
    UniqueFd fd = new_socket(p->ai_family, what);
    SOCKET s = socket_of(fd.get());
    HANDLE ev = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    if (ev == nullptr) winproc::fail_last_error(what + ": CreateEvent");
    winproc::UniqueHandle event(ev);
    // Non-blocking, with the connect's outcome reported on the event.
    if (WSAEventSelect(s, ev, FD_CONNECT) != 0) fail_wsa(what, WSAGetLastError());
    int err = 0;
    if (connect(s, p->ai_addr, static_cast<int>(p->ai_addrlen)) != 0) {
      err = WSAGetLastError();
      if (err == WSAEWOULDBLOCK) {
        if (winproc::wait_any(&ev, 1, deadline) < 0) fail(MPROC_ETIMEDOUT, what + ": timed out");
        WSANETWORKEVENTS happened{};
        err = WSAEnumNetworkEvents(s, ev, &happened) != 0 ? WSAGetLastError()
                                                          : happened.iErrorCode[FD_CONNECT_BIT];
      }
    }
    WSAEventSelect(s, nullptr, 0);  // socket_io.cpp ties its own event later
    if (err == 0) {
      set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1, what + ": TCP_NODELAY");
      return fd;
    }
    last_err = err;
  }
  fail_wsa(what, last_err);
}

}  // namespace mproc::platform
