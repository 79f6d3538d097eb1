#include "platform/lifeline.hpp"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace mproc::platform {

bool die_with_parent(int sig, pid_t expected_parent) noexcept {
  if (prctl(PR_SET_PDEATHSIG, sig) != 0) return true;  // best effort
  return getppid() == expected_parent;
}

int signal_group(pid_t pgid, int sig) noexcept {
  return ::kill(-pgid, sig) == 0 ? 0 : errno;
}

}  // namespace mproc::platform
