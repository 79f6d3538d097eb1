// Winsock sockets as connection channels and in waits (sockets.hpp).
//
// Windows can not wait on a socket handle itself. Each socket that is
// waited on gets an event, tied to it with WSAEventSelect, which Winsock
// signals at network events (data, a connection to accept, room after a
// full buffer, the end). Those signals are edges -- FD_READ comes again
// only after a recv, FD_WRITE only after a send that found no room -- so a
// wait first collects what happened (WSAEnumNetworkEvents, which also
// resets the event) and looks at the socket's state now, and sleeps on the
// event only when nothing is ready; whatever happens after that look
// signals. The look for reading is a one-byte MSG_PEEK (a listening
// socket: select); WSAPoll and select on a connected socket would do, but
// under Wine they signal the event again at once, and the wait would spin.
// Writing waits only follow a send that found no room, so the FD_WRITE
// that send arms is what they wait for (kept until a write wait takes it).
// A read and a write may wait on one socket at once (a connection's two
// directions): when one collects an event the other waits for, it sets the
// event again so that the other looks.
// WSAEventSelect also makes the socket non-blocking, as the steps here
// expect.
#include <winsock2.h>
#include <windows.h>

#include <mproc/common.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "sockets.hpp"
#include "win32_error.hpp"

namespace mproc::platform::winproc {
namespace {

struct Record {
  HANDLE event = nullptr;
  bool listening = false;
  bool room = false;    // an FD_WRITE (or FD_CONNECT) collected, not yet used
  bool closed = false;  // FD_CLOSE collected: both directions are ready
  bool read_waiting = false;
  bool write_waiting = false;
};

struct Events {
  std::mutex mutex;
  std::unordered_map<int, Record> of;
};

Events& events() {
  static Events* e = new Events;  // never destroyed: sockets close at exit too
  return *e;
}

int code_from_wsa(int err) noexcept {
  switch (err) {
    case WSAECONNREFUSED: return MPROC_ECONNREFUSED;
    case WSAEADDRINUSE: return MPROC_EADDRINUSE;
    case WSAECONNRESET:
    case WSAECONNABORTED:
    case WSAESHUTDOWN:
    case WSAENOTCONN: return MPROC_EPIPE;
    case WSAETIMEDOUT: return MPROC_ETIMEDOUT;
    case WSAEACCES: return MPROC_EACCES;
    case WSAEAFNOSUPPORT:
    case WSAEPROTONOSUPPORT:
    case WSAESOCKTNOSUPPORT:
    case WSAEOPNOTSUPP: return MPROC_ENOTSUP;
    case WSAEMFILE: return MPROC_EMFILE;
    case WSAENOBUFS: return MPROC_ENOMEM;
    case WSAEINVAL:
    case WSAEFAULT:
    case WSAEADDRNOTAVAIL: return MPROC_EINVAL;
    case WSAENOTSOCK: return MPROC_EBADF;
    case WSAHOST_NOT_FOUND:
    case WSANO_DATA: return MPROC_ENOTFOUND;
    case WSAENAMETOOLONG: return MPROC_ENAMETOOLONG;
    default: return code_from_win32(static_cast<unsigned long>(err));
  }
}

SOCKET socket_of(int fd) noexcept { return reinterpret_cast<SOCKET>(handle_of_fd(fd)); }

// The record of `fd`, made on first use; the caller holds e.mutex.
Record& record_of(Events& e, int fd) {
  auto it = e.of.find(fd);
  if (it != e.of.end()) return it->second;
  Record r;
  r.event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (r.event == nullptr) fail_win32("socket: CreateEvent");
  SOCKET s = socket_of(fd);
  BOOL accepting = FALSE;
  int len = sizeof accepting;
  r.listening = getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, reinterpret_cast<char*>(&accepting),
                           &len) == 0 && accepting;
  if (WSAEventSelect(s, r.event, FD_READ | FD_WRITE | FD_ACCEPT | FD_CONNECT | FD_CLOSE) != 0) {
    int err = WSAGetLastError();
    CloseHandle(r.event);
    fail_wsa("socket: WSAEventSelect", err);
  }
  return e.of.emplace(fd, r).first->second;
}

void make_nonblocking(int fd) {
  Events& e = events();
  std::lock_guard<std::mutex> hold(e.mutex);
  (void)record_of(e, fd);
}

// Whether a read on `s` would not wait: data, the end, or an error.
bool readable_now(SOCKET s, bool listening) {
  if (listening) {
    fd_set set;
    FD_ZERO(&set);
    FD_SET(s, &set);
    timeval zero{0, 0};
    return select(0, &set, nullptr, nullptr, &zero) != 0;
  }
  char byte;
  if (recv(s, &byte, 1, MSG_PEEK) >= 0) return true;
  return WSAGetLastError() != WSAEWOULDBLOCK;
}

}  // namespace

[[noreturn]] void fail_wsa(const std::string& what, int err) {
  fail(code_from_wsa(err), what + ": " + win32_text(static_cast<unsigned long>(err)) +
                               " (Winsock error " + std::to_string(err) + ")");
}

HANDLE socket_wait_event(int fd, bool for_reading) {
  Events& e = events();
  std::lock_guard<std::mutex> hold(e.mutex);
  Record& r = record_of(e, fd);
  SOCKET s = socket_of(fd);
  WSANETWORKEVENTS happened{};
  long got = WSAEnumNetworkEvents(s, r.event, &happened) == 0 ? happened.lNetworkEvents : 0;
  if (got & (FD_WRITE | FD_CONNECT)) r.room = true;
  if (got & FD_CLOSE) r.closed = true;
  bool ready;
  bool other_woken;
  if (for_reading) {
    ready = r.closed || readable_now(s, r.listening);
    r.read_waiting = !ready;
    other_woken = r.write_waiting && (got & (FD_WRITE | FD_CONNECT | FD_CLOSE)) != 0;
  } else {
    ready = r.room || r.closed;
    r.room = false;
    r.write_waiting = !ready;
    other_woken = r.read_waiting && (got & (FD_READ | FD_ACCEPT | FD_CLOSE)) != 0;
  }
  // The collect reset the event under a wait in the other direction.
  if (other_woken) SetEvent(r.event);
  return ready ? nullptr : r.event;
}

void drop_socket_event(int fd) noexcept {
  Events& e = events();
  std::lock_guard<std::mutex> hold(e.mutex);
  auto it = e.of.find(fd);
  if (it == e.of.end()) return;
  CloseHandle(it->second.event);
  e.of.erase(it);
}

size_t socket_send_nowait(int fd, const void* head, size_t head_len, const void* body,
                          size_t body_len, size_t skip) {
  WSABUF parts[2];
  DWORD count = 0;
  if (skip < head_len) {
    parts[count++] = {static_cast<ULONG>(head_len - skip),
                      const_cast<char*>(static_cast<const char*>(head)) + skip};
    skip = 0;
  } else {
    skip -= head_len;
  }
  if (skip < body_len)
    parts[count++] = {static_cast<ULONG>(body_len - skip),
                      const_cast<char*>(static_cast<const char*>(body)) + skip};
  if (count == 0) return 0;
  make_nonblocking(fd);
  DWORD sent = 0;
  if (WSASend(socket_of(fd), parts, count, &sent, 0, nullptr, nullptr) == 0) return sent;
  int err = WSAGetLastError();
  if (err == WSAEWOULDBLOCK) return 0;
  if (code_from_wsa(err) == MPROC_EPIPE) fail(MPROC_EPIPE, "connection: the peer is gone");
  fail_wsa("connection: send", err);
}

long long socket_recv_nowait(int fd, void* data, size_t len) {
  make_nonblocking(fd);
  int want = len > 0x7fffffff ? 0x7fffffff : static_cast<int>(len);
  int n = recv(socket_of(fd), static_cast<char*>(data), want, 0);
  if (n >= 0) return n;
  int err = WSAGetLastError();
  if (err == WSAEWOULDBLOCK) return -1;
  if (err == WSAECONNRESET || err == WSAECONNABORTED) return 0;  // as a reset on POSIX
  fail_wsa("connection: recv", err);
}

}  // namespace mproc::platform::winproc
