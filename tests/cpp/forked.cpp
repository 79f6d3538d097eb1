#include "forked.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace mproc::testing {

ChildOutcome run_in_child(const std::function<int()>& body, int timeout_ms,
                          ChildExit how) {
  ChildOutcome outcome;
  pid_t pid = fork();
  if (pid < 0) return outcome;
  if (pid == 0) {
#if defined(__SANITIZE_ADDRESS__)
    // Whatever the parent's other threads had in flight at the fork is
    // unreachable here (their stacks are gone); leak checking belongs to
    // the parent process, where those threads still exist.
    __lsan_disable();
#endif
    int rc = 1;
    try {
      rc = body();
    } catch (...) {
      rc = 99;
    }
    if (how == ChildExit::kImmediate) _exit(rc);
    std::exit(rc);
  }
  return wait_for_child(pid, timeout_ms);
}

ChildOutcome wait_for_child(pid_t pid, int timeout_ms) {
  ChildOutcome outcome;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  struct pollfd pfd = {pidfd, POLLIN, 0};
  if (pidfd < 0 || poll(&pfd, 1, timeout_ms) == 0) {
    outcome.timed_out = true;
    kill(pid, SIGKILL);
  }
  if (pidfd >= 0) close(pidfd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (outcome.timed_out) return outcome;
  outcome.exited = WIFEXITED(status);
  outcome.status = outcome.exited ? WEXITSTATUS(status) : WTERMSIG(status);
  return outcome;
}

}  // namespace mproc::testing
