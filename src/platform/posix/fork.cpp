// fork and process groups: the same on every POSIX system.
#include <sys/types.h>
#include <unistd.h>

#include "platform/error.hpp"
#include "platform/process.hpp"

namespace mproc::platform {

bool fork_supported() noexcept { return true; }

int64_t fork_process() {
  pid_t pid = ::fork();
  if (pid < 0) fail_errno("fork");
  return pid;
}

void make_group_leader(int64_t pid) noexcept {
  ::setpgid(static_cast<pid_t>(pid), static_cast<pid_t>(pid));
}

void exit_immediately(int code) noexcept { ::_exit(code); }

}  // namespace mproc::platform
