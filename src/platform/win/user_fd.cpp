// The C ABI's descriptors on Windows are C runtime descriptors (what _open,
// _fileno and _open_osfhandle give a C program); the library's own are
// HANDLE values (fd.cpp). A CRT fd handed in is copied as a handle; one
// handed out is made once per library descriptor, kept in a table and
// closed with it (UniqueFd::reset calls forget_user_fd).
#include <io.h>
#include <winsock2.h>
#include <windows.h>

#include <mproc/common.h>

#include <mutex>
#include <string>
#include <unordered_map>

#include "pipe_table.hpp"
#include "platform/error.hpp"
#include "sockets.hpp"
#include "platform/fd.hpp"
#include "user_fd.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace {

std::mutex g_mutex;
std::unordered_map<int, int>& crt_fds() {
  static auto* table = new std::unordered_map<int, int>();  // outlives exit-time resets
  return *table;
}

}  // namespace

UniqueFd import_user_fd(int user_fd) {
  intptr_t os = user_fd < 0 ? -1 : _get_osfhandle(user_fd);
  if (os == -1 || os == -2)
    fail(MPROC_EBADF, "descriptor " + std::to_string(user_fd) +
                          " is not an open C runtime descriptor");
  // A socket is copied the way Winsock knows of (sockets.hpp).
  if (winproc::is_socket(reinterpret_cast<HANDLE>(os)))
    return UniqueFd(winproc::copy_socket(static_cast<SOCKET>(os)));
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), reinterpret_cast<HANDLE>(os), GetCurrentProcess(),
                       &copy, 0, FALSE, DUPLICATE_SAME_ACCESS))
    fail_win32("cannot duplicate descriptor " + std::to_string(user_fd), GetLastError());
  return UniqueFd(winproc::fd_of_handle(copy));
}

void close_user_fd(int user_fd) noexcept { _close(user_fd); }

int user_fd_of(int fd) {
  std::lock_guard<std::mutex> hold(g_mutex);
  auto it = crt_fds().find(fd);
  if (it != crt_fds().end()) return it->second;
  // The CRT fd owns a copy of its own, so closing either never closes the
  // other's handle. A socket's copy is a socket of its own too (the CRT
  // closes it with CloseHandle, as it does any socket it was given).
  UniqueFd copy = dup_cloexec(fd);
  int crt = _open_osfhandle(static_cast<intptr_t>(copy.get()), 0);
  if (crt < 0) fail(MPROC_EMFILE, "no C runtime descriptor left for descriptor " + std::to_string(fd));
  copy.release();
  crt_fds().emplace(fd, crt);
  return crt;
}

void forget_user_fd(int fd) noexcept {
  int crt = -1;
  {
    std::lock_guard<std::mutex> hold(g_mutex);
    auto it = crt_fds().find(fd);
    if (it == crt_fds().end()) return;
    crt = it->second;
    crt_fds().erase(it);
  }
  _close(crt);
}

}  // namespace mproc::platform
