// platform/lifeline.hpp on Windows (thread_is_gone: thread_gone.cpp).
//
// A child that dies with its parent was put, suspended and before its
// first instruction, in a kill-on-close Job object whose only handle the
// parent holds (exec_spawn): the system kills it when the parent ends,
// whenever that is. Nothing is left for the child to ask for or to check.
// A group is the Job object exec_spawn made for its leader.
#include "platform/lifeline.hpp"

#include <cerrno>

#include "platform/error.hpp"
#include "platform/signals.hpp"
#include "winproc.hpp"

namespace mproc::platform {

bool die_with_parent(int, int64_t) noexcept { return true; }

int signal_group(int64_t pgid, int sig) noexcept {
  if (pgid <= 0 || pgid > UINT32_MAX) return ESRCH;
  std::shared_ptr<winproc::Job> job = winproc::job_of(static_cast<DWORD>(pgid));
  if (!job) return ESRCH;  // not a group this process made, or it has emptied
  if (sig == 0) return 0;
  if (sig < 0 || sig > 64) return EINVAL;
  int rc = job->terminate(winproc::exit_code_for_signal(sig));
  if (rc == 0) return 0;
  return rc == MPROC_EACCES ? EPERM : EIO;
}

}  // namespace mproc::platform
