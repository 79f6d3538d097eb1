#include "platform/lifeline.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace mproc::platform {

bool die_with_parent(int sig, int64_t expected_parent) noexcept {
  if (prctl(PR_SET_PDEATHSIG, sig) != 0) return true;  // best effort
  return getppid() == expected_parent;
}

int signal_group(int64_t pgid, int sig) noexcept {
  return ::kill(-static_cast<pid_t>(pgid), sig) == 0 ? 0 : errno;
}

bool thread_is_gone(int32_t tid) noexcept {
  if (tid <= 0) return true;
  // kill(2) finds any thread by its id, not only process leaders.
  if (::kill(tid, 0) != 0 && errno == ESRCH) return true;
  // A process killed but not yet reaped still answers kill(); its state in
  // /proc says it is a zombie ('Z') or dead ('X').
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  // "pid (comm) S ...": the state follows the last ')', since comm may
  // itself contain parentheses.
  const char* close_paren = strrchr(buf, ')');
  if (close_paren == nullptr || close_paren[1] == '\0') return false;
  char state = close_paren[2];
  return state == 'Z' || state == 'X';
}

}  // namespace mproc::platform
