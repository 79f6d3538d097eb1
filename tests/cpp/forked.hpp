// Runs a piece of a test in a forked child and reports how the child ended,
// for the tests of fork itself (POSIX only: child.hpp starts a child on
// every platform). The wait is bounded: a child that hangs is killed and
// reported.
#pragma once

#include <sys/types.h>

#include <functional>

#include "child.hpp"

namespace mproc::testing {

// How the child leaves once `body` has returned.
enum class ChildExit {
  kExit,       // exit(): atexit handlers run, as in a real program
  kImmediate,  // _exit(): for a child forked while other threads of the test
               // run, whose memory (theirs, on stacks the child does not
               // have) a leak checker at exit would report as lost
};

// Forks; the child runs `body` and exits with its return value.
ChildOutcome run_in_child(const std::function<int()>& body,
                          int timeout_ms = 10000, ChildExit how = ChildExit::kExit);

// Waits up to timeout_ms for child `pid` to end (killing it after), and
// reaps it.
ChildOutcome wait_for_child(pid_t pid, int timeout_ms);

}  // namespace mproc::testing
