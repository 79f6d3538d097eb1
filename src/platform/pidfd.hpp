// Process descriptors (Linux pidfds): a handle on one specific process that
// can be polled for its exit, signalled without pid-reuse races, and reaped
// without ever touching any other child (never waitpid(-1)).
#pragma once

#include <sys/types.h>

#include "platform/fd.hpp"

namespace mproc::platform {

// A pidfd for `pid` (which must be a live or zombie process). Throws.
UniqueFd pidfd_open(pid_t pid);

// The pidfd of a child this process just made. Should none be had (out of
// descriptors), the child is killed and reaped before the error is thrown:
// nothing could ever watch or reap it otherwise.
UniqueFd pidfd_of_new_child(pid_t pid);

// How a reaped child ended, in Python's exitcode convention: the exit
// status (0..255), or -N after signal N.
struct ExitStatus {
  bool reaped = false;
  int exitcode = 0;
};

// Reaps the child behind `pidfd` if it has exited, without blocking.
// `reaped` stays false while it runs. ECHILD (someone else reaped it) is
// reported as errno_out = ECHILD with reaped = false.
ExitStatus try_reap(int pidfd, int* errno_out);

// Sends `sig` to the process behind `pidfd`. Returns 0, or the errno
// (ESRCH once the process has been reaped).
int pidfd_signal(int pidfd, int sig) noexcept;

// Whether the kernel offers pidfds at all (5.3+).
bool pidfds_supported() noexcept;

}  // namespace mproc::platform
