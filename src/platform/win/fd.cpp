// Owned handles on Windows. A descriptor `int` is a HANDLE value: kernel
// handles fit in 32 bits (Windows guarantees it so that 32- and 64-bit
// processes can share them), so the value travels in an int and is
// sign-extended back (INVALID_HANDLE_VALUE, -1, is then "none").
//
// Only the handle bookkeeping lives here. Reading, writing and waiting on
// pipe handles (set_nonblocking, wait_fd, readable_now, wait_any,
// read_nowait, write_nowait, write_all, read_exact) belong with the pipe
// implementation.
#include <windows.h>

#include <string>

#include "platform/fd.hpp"
#include "win32_error.hpp"

namespace mproc::platform {
namespace {

HANDLE as_handle(int fd) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
}

}  // namespace

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) CloseHandle(as_handle(fd_));
  fd_ = fd;
}

// Windows has no descriptor numbers to choose: `min_fd` has no meaning
// and is ignored. The copy is not inheritable (the close-on-exec of
// Windows: only handles in a child's explicit list reach it anyway).
UniqueFd dup_cloexec(int fd, int) {
  HANDLE copy = nullptr;
  if (fd < 0 || !DuplicateHandle(GetCurrentProcess(), as_handle(fd), GetCurrentProcess(), &copy,
                                 0, FALSE, DUPLICATE_SAME_ACCESS))
    fail_win32("cannot duplicate handle " + std::to_string(fd),
               fd < 0 ? ERROR_INVALID_HANDLE : GetLastError());
  return UniqueFd(static_cast<int>(reinterpret_cast<intptr_t>(copy)));
}

void set_cloexec(int fd) noexcept {
  if (fd >= 0) SetHandleInformation(as_handle(fd), HANDLE_FLAG_INHERIT, 0);
}

bool fd_is_open(int fd) noexcept {
  DWORD flags;
  return fd >= 0 && GetHandleInformation(as_handle(fd), &flags) != 0;
}

}  // namespace mproc::platform
