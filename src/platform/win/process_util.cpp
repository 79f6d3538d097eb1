// Handles and waits: the pieces every other
// process_*/pipe_* file of the Windows layer stands on.
#include <fcntl.h>
#include <io.h>

#include <cerrno>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {

void UniqueHandle::reset(HANDLE h) noexcept {
  HANDLE old = std::exchange(h_, h);
  if (valid(old)) ::CloseHandle(old);
}

int handle_to_int(HANDLE h) noexcept {
  return static_cast<int>(reinterpret_cast<intptr_t>(h));
}

HANDLE handle_from_int(int value) noexcept {
  return reinterpret_cast<HANDLE>(static_cast<intptr_t>(value));
}

HANDLE handle_of_crt_fd(int fd) {
  // The CRT's parameter handler would abort on a bad descriptor in a debug
  // runtime; a negative one is refused before asking.
  if (fd < 0) fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
  intptr_t h = ::_get_osfhandle(fd);
  if (h == -1 || h == -2)  // -2: a std stream with no console behind it
    fail(MPROC_EBADF, "descriptor " + std::to_string(fd) + " is not open");
  return reinterpret_cast<HANDLE>(h);
}

int crt_fd_of_handle(HANDLE h, int flags) {
  int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), flags);
  if (fd < 0) fail(MPROC_EMFILE, "no CRT descriptor for a handle: too many open files");
  return fd;
}

UniqueHandle duplicate_handle(HANDLE h, bool inheritable) {
  HANDLE copy = nullptr;
  HANDLE self = ::GetCurrentProcess();
  if (!::DuplicateHandle(self, h, self, &copy, 0, inheritable ? TRUE : FALSE,
                         DUPLICATE_SAME_ACCESS))
    fail_last_error("DuplicateHandle");
  return UniqueHandle(copy);
}

DWORD wait_ms(const Deadline& deadline) noexcept {
  if (deadline.forever()) return INFINITE;
  int ms = deadline.poll_ms();  // rounded up
  return static_cast<DWORD>(ms < 0 ? 0 : ms);
}

int wait_any(const HANDLE* handles, size_t count, const Deadline& deadline) {
  if (count == 0 || count > MAXIMUM_WAIT_OBJECTS)
    fail(MPROC_EINVAL, "wait_any: between 1 and 64 handles");
  for (;;) {
    DWORD r = ::WaitForMultipleObjects(static_cast<DWORD>(count), handles, FALSE,
                                       wait_ms(deadline));
    if (r < WAIT_OBJECT_0 + count) return static_cast<int>(r - WAIT_OBJECT_0);
    // An abandoned mutex is signalled too: its index is reported, and the
    // caller's own wait on it learns the rest.
    if (r >= WAIT_ABANDONED_0 && r < WAIT_ABANDONED_0 + count)
      return static_cast<int>(r - WAIT_ABANDONED_0);
    if (r == WAIT_TIMEOUT) {
      // The wait can end up to a timer tick early: only the monotonic
      // clock says the deadline has come.
      if (deadline.expired()) return -1;
      continue;
    }
    fail_last_error("WaitForMultipleObjects");
  }
}

HANDLE duplicate_into(HANDLE process, HANDLE ours) {
  HANDLE theirs = nullptr;
  if (!::DuplicateHandle(::GetCurrentProcess(), ours, process, &theirs, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
    fail_last_error("DuplicateHandle into the child");
  return theirs;
}

UniqueHandle take_from(HANDLE process, HANDLE theirs) {
  HANDLE ours = nullptr;
  if (!::DuplicateHandle(process, theirs, ::GetCurrentProcess(), &ours, 0, FALSE,
                         DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE))
    fail_last_error("DuplicateHandle from the other process");
  return UniqueHandle(ours);
}

}  // namespace mproc::platform::winproc
