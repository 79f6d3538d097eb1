// Tying a child's life to its parent's, and groups of processes.
#pragma once

#include <cstdint>

namespace mproc::platform {

// Asks the kernel to send `sig` (platform/signals.hpp) to the caller when its parent dies, then
// checks the parent is still `expected_parent` (it may have died before the
// request). Returns false if it already has: the caller should exit.
bool die_with_parent(int sig, int64_t expected_parent) noexcept;

// Signals a whole process group. Returns 0 or the errno.
int signal_group(int64_t pgid, int sig) noexcept;

// Whether the thread with kernel id `tid` (of any process in this pid
// namespace) has ended: it no longer exists, or only as a zombie. A thread
// that can not be checked (another user's) counts as alive.
bool thread_is_gone(int32_t tid) noexcept;

}  // namespace mproc::platform
