// Noticing and reaping ended children in a single-threaded process whose
// every child is its own to reap (the forkserver): no signal handler, a
// descriptor that turns readable when a child may have ended, and a reap of
// whichever children have. Only where fork exists (platform/process.hpp).
#pragma once

#include <cstdint>
#include <functional>

#include "platform/fd.hpp"

namespace mproc::platform {

class ChildExits {
 public:
  // Blocks the child-exit signal in the caller and opens the descriptor.
  // Throws with the failing call named.
  void open();
  // Readable once a child may have ended.
  int fd() const noexcept { return fd_.get(); }
  // Clears the readiness of fd(), then reaps every child that has ended,
  // calling on_exit(pid, exitcode) for each (exitcode as in ExitStatus).
  // Never blocks.
  void reap_ended(const std::function<void(int64_t pid, int exitcode)>& on_exit);
  // In a forked child: closes the descriptor and unblocks every signal.
  void close_in_child() noexcept;

 private:
  UniqueFd fd_;
};

}  // namespace mproc::platform
