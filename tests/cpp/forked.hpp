// Runs a piece of a test in a forked child and reports how the child ended,
// so tests can exercise process exit and fork without ending the test
// binary. The wait is bounded: a child that hangs is killed and reported.
#pragma once

#include <functional>

namespace mproc::testing {

struct ChildOutcome {
  bool exited = false;     // ended by exit/_exit
  int status = -1;         // exit status if exited, else the signal number
  bool timed_out = false;  // still running after the deadline (then killed)
};

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

}  // namespace mproc::testing
