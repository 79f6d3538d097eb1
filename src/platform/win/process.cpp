// platform/process.hpp on Windows: a process handle is the process HANDLE
// (signalled once the process has ended), "signals" are TerminateProcess
// with the exit code process_exit.cpp reserves for them, and there is no
// fork.
#include "platform/process.hpp"

#include <cerrno>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform {

using winproc::handle_from_int;
using winproc::handle_to_int;

namespace {

// What core does with a process handle: wait on it, read its exit code,
// end it, and hand handles into it (the bootstrap's fd passing).
constexpr DWORD kProcessAccess = SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION |
                                 PROCESS_TERMINATE | PROCESS_DUP_HANDLE;

}  // namespace

UniqueFd process_handle_open(int64_t pid) {
  if (pid <= 0 || pid > UINT32_MAX)
    fail(MPROC_ESRCH, "no process " + std::to_string(pid));
  HANDLE h = ::OpenProcess(kProcessAccess, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) {
    DWORD err = ::GetLastError();
    // OpenProcess says "invalid parameter" for a pid nobody has.
    if (err == ERROR_INVALID_PARAMETER) fail(MPROC_ESRCH, "no process " + std::to_string(pid));
    fail_win32("OpenProcess(" + std::to_string(pid) + ")", err);
  }
  return UniqueFd(handle_to_int(h));
}

// Only exec_spawn makes children on Windows, and it returns their handle
// itself; a child known by pid alone is opened like any process.
NewChildHandle process_handle_of_new_child(int64_t pid) {
  NewChildHandle child;
  child.handle = process_handle_open(pid);
  return child;
}

ExitStatus try_reap(int handle, bool* lost) {
  // Windows has no reaping: the exit code stays readable through the
  // handle for as long as it is open, so it can never be lost.
  *lost = false;
  ExitStatus status;
  int code = 0;
  if (winproc::try_exitcode(handle_from_int(handle), &code)) {
    status.reaped = true;
    status.exitcode = code;
  }
  return status;
}

int signal_process(int handle, int sig) noexcept {
  int rc = winproc::terminate(handle_from_int(handle), nullptr, sig);
  if (rc == 0) return 0;
  if (rc == MPROC_EINVAL) return EINVAL;
  if (rc == MPROC_EBADF) return ESRCH;
  return rc == MPROC_EACCES ? EPERM : EIO;
}

bool fork_supported() noexcept { return false; }

int64_t fork_process() {
  fail(MPROC_ENOTSUP, "fork is not available on Windows: use the spawn start method");
}

// The group is the Job object exec_spawn makes for a new_group child; the
// child has nothing to do itself.
void make_group_leader(int64_t) noexcept {}

void exit_immediately(int code) noexcept {
  // No atexit handlers, no stdio flush, no DLL detach notifications that
  // could wait for a lock a vanished thread held: the process just ends.
  ::TerminateProcess(::GetCurrentProcess(), static_cast<UINT>(code));
  ::ExitProcess(static_cast<UINT>(code));  // not reached
}

}  // namespace mproc::platform
