#include "platform/pidfd.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/error.hpp"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace mproc::platform {

UniqueFd pidfd_open(pid_t pid) {
  // pidfds are close-on-exec by construction.
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) fail_errno("pidfd_open(" + std::to_string(pid) + ")");
  return UniqueFd(fd);
}

UniqueFd pidfd_of_new_child(pid_t pid) {
  try {
    return pidfd_open(pid);
  } catch (...) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    throw;
  }
}

ExitStatus try_reap(int pidfd, int* errno_out) {
  ExitStatus status;
  *errno_out = 0;
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd),
                &info, WEXITED | WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    *errno_out = errno;
    return status;
  }
  if (info.si_pid == 0) return status;  // still running
  status.reaped = true;
  status.exitcode =
      info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
  return status;
}

int pidfd_signal(int pidfd, int sig) noexcept {
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0) return 0;
  return errno;
}

bool pidfds_supported() noexcept {
  static const bool supported = [] {
    long fd = syscall(SYS_pidfd_open, getpid(), 0);
    if (fd < 0) return false;
    close(static_cast<int>(fd));
    return true;
  }();
  return supported;
}

}  // namespace mproc::platform
