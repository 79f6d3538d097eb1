// The fork start method: the child is a copy of the parent that calls the
// task directly. Daemon children are forked from the reactor thread, whose
// life is the process's: the kernel's parent-death signal follows the
// thread that forked, and a daemon must not die with a short-lived thread.
// The reactor blocks every signal, so such a child takes back the signal
// mask of the thread that asked for it.
#include <errno.h>
#include <signal.h>
#include <cstdio>
#include <unistd.h>

#include "core/runtime.hpp"
#include "core/start.hpp"
#include "platform/error.hpp"
#include "platform/pidfd.hpp"

namespace mproc::core {
namespace {

std::shared_ptr<Child> fork_now(const LaunchRequest& req, const sigset_t* child_mask) {
  // As Python does: whatever stdio holds unwritten would otherwise be
  // written twice, once by each process.
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    if (child_mask != nullptr) pthread_sigmask(SIG_SETMASK, child_mask, nullptr);
    run_child(req, ExitStyle::kImmediate);
  }
  if (req.new_group) setpgid(pid, pid);  // the child does it too: no race
  return std::make_shared<Child>(pid, platform::pidfd_of_new_child(pid),
                                 Child::Reaper::kPidfd, req.new_group);
}

}  // namespace

std::shared_ptr<Child> start_with_fork(const LaunchRequest& req) {
  if (!req.daemon) return fork_now(req, nullptr);
  sigset_t caller_mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &caller_mask);
  std::shared_ptr<Child> child;
  Runtime::get().call([&](uv_loop_t*) { child = fork_now(req, &caller_mask); });
  return child;
}

}  // namespace mproc::core
