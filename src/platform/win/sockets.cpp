// Winsock sockets among the library's descriptors (sockets.hpp).
#include "sockets.hpp"

#include <windows.h>

#include <mproc/common.h>

#include <mutex>
#include <string>
#include <unordered_set>

#include "pipe_table.hpp"
#include "platform/error.hpp"

namespace mproc::platform::winproc {
namespace {

struct Set {
  std::mutex mutex;
  std::unordered_set<int> fds;
};

Set& sockets() {
  static Set* s = new Set;  // never destroyed: descriptors close at exit too
  return *s;
}

}  // namespace

// Winsock answers nothing before WSAStartup; a process that received a
// socket may never have called it. Started once, never cleaned up (a
// library must not end Winsock under its host's feet).
void start_winsock() {
  static const int result = [] {
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data);
  }();
  if (result != 0) fail(code_from_win32(result), "cannot start Winsock: " + win32_text(result));
}

namespace {

[[noreturn]] void fail_wsa(const std::string& what) {
  winproc::fail_wsa(what, WSAGetLastError());
}

}  // namespace

int adopt_socket(SOCKET s) {
  int fd = fd_of_handle(reinterpret_cast<HANDLE>(s));
  try {
    Set& set = sockets();
    std::lock_guard<std::mutex> hold(set.mutex);
    set.fds.insert(fd);
  } catch (...) {
    closesocket(s);
    throw;
  }
  return fd;
}

bool is_socket(HANDLE h) noexcept {
  // Only a pipe-like file can be a socket (GetFileType says PIPE for both);
  // anything else is not asked, so Winsock is not started for nothing.
  if (!UniqueHandle::valid(h) || GetFileType(h) != FILE_TYPE_PIPE) return false;
  try {
    start_winsock();
  } catch (...) {
    return false;
  }
  int type = 0;
  int len = sizeof type;
  return getsockopt(reinterpret_cast<SOCKET>(h), SOL_SOCKET, SO_TYPE,
                    reinterpret_cast<char*>(&type), &len) == 0;
}

bool is_socket_fd(int fd) noexcept {
  Set& set = sockets();
  std::lock_guard<std::mutex> hold(set.mutex);
  return set.fds.count(fd) != 0;
}

void share_socket(SOCKET s, uint32_t pid, WSAPROTOCOL_INFOW* info) {
  start_winsock();
  if (WSADuplicateSocketW(s, pid, info) != 0)
    fail_wsa("cannot share socket " + std::to_string(static_cast<unsigned long long>(s)) +
             " with process " + std::to_string(pid));
}

int take_socket(const WSAPROTOCOL_INFOW& info) {
  start_winsock();
  WSAPROTOCOL_INFOW copy = info;  // WSASocketW takes a non-const pointer
  SOCKET s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &copy, 0,
                        WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) fail_wsa("cannot take a socket another process shared");
  return adopt_socket(s);
}

int copy_socket(SOCKET s) {
  WSAPROTOCOL_INFOW info;
  share_socket(s, GetCurrentProcessId(), &info);
  return take_socket(info);
}

bool close_socket_fd(int fd) noexcept {
  {
    Set& set = sockets();
    std::lock_guard<std::mutex> hold(set.mutex);
    if (set.fds.erase(fd) == 0) return false;
  }
  drop_socket_event(fd);
  closesocket(reinterpret_cast<SOCKET>(handle_of_fd(fd)));
  return true;
}

}  // namespace mproc::platform::winproc
