// Watching a child's exit through its process handle, and ending it.
//
// Windows has no signals: terminate(sig) is TerminateProcess with an exit
// code reserved for that signal, which exitcode_from_win32 reads back as
// -sig. 0x10000 is SIGTERM's because CPython's multiprocessing uses it
// (popen_spawn_win32.TERMINATE, reported as -SIGTERM), so Python and mproc
// agree on each other's children.
#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {
namespace {

constexpr int kSigTerm = 15;
constexpr int kMaxSignal = 64;

bool has_exited(HANDLE process) {
  DWORD r = ::WaitForSingleObject(process, 0);
  if (r == WAIT_OBJECT_0) return true;
  if (r == WAIT_TIMEOUT) return false;
  fail_last_error("WaitForSingleObject(process)");
}

}  // namespace

DWORD exit_code_for_signal(int sig) noexcept {
  return sig == kSigTerm ? kTerminateBase : kTerminateBase + static_cast<DWORD>(sig);
}

int exitcode_from_win32(DWORD code) noexcept {
  if (code == kTerminateBase) return -kSigTerm;
  if (code > kTerminateBase && code <= kTerminateBase + kMaxSignal)
    return -static_cast<int>(code - kTerminateBase);
  // Anything else as the 32-bit value it is: crashes (0xC0000005 and the
  // like) come out negative, as C's exit code does.
  return static_cast<int>(code);
}

bool wait_exit(HANDLE process, const Deadline& deadline) {
  return wait_any(&process, 1, deadline) == 0;
}

bool try_exitcode(HANDLE process, int* exitcode) {
  if (!has_exited(process)) return false;
  DWORD code = 0;
  if (!::GetExitCodeProcess(process, &code)) fail_last_error("GetExitCodeProcess");
  *exitcode = exitcode_from_win32(code);
  return true;
}

int terminate(HANDLE process, const Job* job, int sig) noexcept {
  if (sig < 0 || sig > kMaxSignal) return MPROC_EINVAL;
  try {
    if (sig == 0) return 0;  // kill(pid, 0): only "is it there", and it is ours
    DWORD code = exit_code_for_signal(sig);
    // The job's processes first, then the child itself: the job may be
    // empty already, or the child not (yet) in it.
    if (job != nullptr) {
      int rc = const_cast<Job*>(job)->terminate(code);
      if (rc != 0) return rc;
    }
    if (::TerminateProcess(process, code)) return 0;
    DWORD err = ::GetLastError();
    // Terminating a process that has ended is "access denied": not an error.
    if (has_exited(process)) return 0;
    return code_from_win32(err);
  } catch (const Error& e) {
    return e.code();
  }
}

}  // namespace mproc::platform::winproc
