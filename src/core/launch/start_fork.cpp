// The fork start method: the child is a copy of the parent that calls the
// task directly. Daemon children are forked from the reactor thread, whose
// life is the process's: the kernel's parent-death signal follows the
// thread that forked, and a daemon must not die with a short-lived thread.
// The reactor blocks every signal, so such a child takes back the signal
// mask of the thread that asked for it.
#include <cstdio>

#include "core/runtime.hpp"
#include "core/launch/start.hpp"
#include "platform/error.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

namespace mproc::core {
namespace {

std::shared_ptr<Child> fork_now(const LaunchRequest& req, const platform::SignalMask* child_mask) {
  // As Python does: whatever stdio holds unwritten would otherwise be
  // written twice, once by each process.
  std::fflush(nullptr);
  int64_t pid = platform::fork_process();
  if (pid == 0) {
    if (child_mask != nullptr) child_mask->apply_to_calling_thread();
    run_child(req, ExitStyle::kImmediate);
  }
  if (req.new_group) platform::make_group_leader(pid);  // the child does it too: no race
  return std::make_shared<Child>(pid, platform::process_handle_of_new_child(pid), req.new_group);
}

}  // namespace

std::shared_ptr<Child> start_with_fork(const LaunchRequest& req) {
  if (!platform::fork_supported())
    fail(MPROC_ENOTSUP, "the fork start method is not available on this platform: use the "
                        "spawn start method");
  if (!req.daemon) return fork_now(req, nullptr);
  const platform::SignalMask caller_mask = platform::SignalMask::of_calling_thread();
  std::shared_ptr<Child> child;
  Runtime::get().call([&](uv_loop_t*) { child = fork_now(req, &caller_mask); });
  return child;
}

}  // namespace mproc::core
