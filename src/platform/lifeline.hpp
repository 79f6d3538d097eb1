// Tying a child's life to its parent's, and groups of processes.
#pragma once

#include <sys/types.h>

namespace mproc::platform {

// Asks the kernel to send `sig` to the caller when its parent dies, then
// checks the parent is still `expected_parent` (it may have died before the
// request). Returns false if it already has: the caller should exit.
bool die_with_parent(int sig, pid_t expected_parent) noexcept;

// Signals a whole process group. Returns 0 or the errno.
int signal_group(pid_t pgid, int sig) noexcept;

}  // namespace mproc::platform
