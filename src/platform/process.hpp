// Child processes: making one by fork where the platform has it, and
// watching, signalling and reaping one through a process handle.
//
// A process handle (Linux: a pidfd; Windows: the process handle) names one
// specific process: it becomes readable (see readable_now, wait_fd) once
// that process has ended, signals sent through it never reach a process
// that took over its id, and reaping through it never touches any other
// child (mproc never waits for "any child", except in the forkserver:
// platform/child_exits.hpp). Process ids are int64_t on every platform.
#pragma once

#include <cstdint>

#include "platform/fd.hpp"

namespace mproc::platform {

// A handle on `pid` (which must be a live or zombie process). Throws.
UniqueFd process_handle_open(int64_t pid);

// The handle of a child this process just made. A child that has already
// ended and been reaped by the system (SIGCHLD ignored, or SA_NOCLDWAIT,
// reaps every child at its exit) leaves no process to open: it did run,
// and `gone` says its status is lost; `handle` is then a descriptor that
// is readable at once, so a wait on it returns at once like one on any
// ended child's. Should no handle be had (out of descriptors), the child
// is killed and reaped before the error is thrown: nothing could ever
// watch or reap it otherwise.
struct NewChildHandle {
  UniqueFd handle;
  bool gone = false;
};
NewChildHandle process_handle_of_new_child(int64_t pid);

// How a reaped child ended, in Python's exitcode convention: the exit
// status (0..255), or -N after signal N.
struct ExitStatus {
  bool reaped = false;
  int exitcode = 0;
};

// Reaps the child behind `handle` if it has exited, without blocking.
// `reaped` stays false while it runs. Someone else having reaped it is
// reported as *lost = true with reaped = false.
ExitStatus try_reap(int handle, bool* lost);

// Sends `sig` (platform/signals.hpp) to the process behind `handle`.
// Returns 0, or the errno (ESRCH once the process has been reaped).
int signal_process(int handle, int sig) noexcept;

// Whether this platform can fork (copy the calling process). Where it can
// not (Windows), the fork and forkserver start methods are ENOTSUP.
bool fork_supported() noexcept;
// Forks: returns 0 in the child and the child's pid in the parent. Throws
// MPROC_ENOTSUP (naming spawn) where fork_supported() is false.
int64_t fork_process();

// Makes `pid` (0: the caller) the leader of a new process group; called
// by both parent and child, so neither races the other. Best effort.
void make_group_leader(int64_t pid) noexcept;

// Ends the calling process at once with `code`: no atexit handlers, no
// stdio flush (a forked child must not run its parent's).
[[noreturn]] void exit_immediately(int code) noexcept;

}  // namespace mproc::platform
