// Runs a piece of a test in a child process that is a fresh start of the
// test program itself (spawned, not forked), so tests can exercise process
// exit on every platform without ending the test binary. The piece is a
// function registered by name with TEST_CHILD; the program's main
// (child.cpp) runs it instead of the tests when started for it, and the
// child exits through exit() with the piece's return value, so atexit
// handlers run as in a real program. The wait is bounded: a child that
// hangs is killed and reported.
#pragma once

#include <string>

namespace mproc::testing {

struct ChildOutcome {
  bool exited = false;     // ended by exit/_exit (always, on Windows)
  int status = -1;         // exit status if exited, else the signal number
  bool timed_out = false;  // still running after the deadline (then killed)
};

using ChildBody = int (*)(const std::string& arg);

struct ChildRegistration {
  ChildRegistration(const char* name, ChildBody body);
};

// Starts this program again to run the piece registered as `name` with
// `arg`; waits up to timeout_ms for it to end.
ChildOutcome run_child(const char* name, const std::string& arg = "",
                       int timeout_ms = 10000);

// A path for a scratch file in the system's temporary folder, unique to
// this process and `stem`.
std::string temp_path(const char* stem);

}  // namespace mproc::testing

// Defines and registers a child piece: `int body(const std::string& arg)`.
#define TEST_CHILD(name)                                                 \
  static int name(const std::string& arg);                               \
  static ::mproc::testing::ChildRegistration name##_registration(#name,  \
                                                                 &name); \
  static int name(const std::string& arg)
