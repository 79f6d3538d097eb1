#include "platform/process.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/error.hpp"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace mproc::platform {
namespace {

// The read end of a pipe whose write end is closed: always readable (at
// its end), the stand-in handle of a child that is already gone.
UniqueFd readable_at_once() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("pipe2");
  ::close(fds[1]);
  return UniqueFd(fds[0]);
}

}  // namespace

UniqueFd process_handle_open(int64_t pid) {
  // pidfds are close-on-exec by construction.
  int fd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (fd < 0) fail_errno("pidfd_open(" + std::to_string(pid) + ")");
  return UniqueFd(fd);
}

NewChildHandle process_handle_of_new_child(int64_t pid) {
  NewChildHandle child;
  int fd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (fd >= 0) {
    child.handle = UniqueFd(fd);
    return child;
  }
  if (errno == ESRCH) {
    // Our child, which nobody in this process waits for, is no longer there
    // even as a zombie: the system reaped it at its exit. Its id may already
    // name another process, so it is neither signalled nor waited for.
    child.gone = true;
    child.handle = readable_at_once();
    return child;
  }
  int err = errno;
  ::kill(static_cast<pid_t>(pid), SIGKILL);
  while (::waitpid(static_cast<pid_t>(pid), nullptr, 0) < 0 && errno == EINTR) {
  }
  fail_errno("pidfd_open(" + std::to_string(pid) + ")", err);
}

ExitStatus try_reap(int handle, bool* lost) {
  ExitStatus status;
  *lost = false;
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(handle),
                &info, WEXITED | WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    *lost = errno == ECHILD;
    return status;
  }
  if (info.si_pid == 0) return status;  // still running
  status.reaped = true;
  status.exitcode =
      info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
  return status;
}

int signal_process(int handle, int sig) noexcept {
  if (syscall(SYS_pidfd_send_signal, handle, sig, nullptr, 0) == 0) return 0;
  return errno;
}

}  // namespace mproc::platform
