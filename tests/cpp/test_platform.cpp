// The platform layer's small interfaces that core uses in place of OS
// calls (src/platform/*.hpp): waiting on several descriptors, one-step
// pipe I/O, stream files, signal masks, fork, and reaping children. Pipes,
// waits, stream files and signal numbers are tested on every platform;
// signal masks, fork and reaping are POSIX's and skip on Windows.
#include <gtest/gtest.h>
#ifndef _WIN32
#include <signal.h>
#endif

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "platform/child_exits.hpp"
#include "platform/deadline.hpp"
#include "platform/error.hpp"
#include "platform/fd.hpp"
#include "platform/pipes.hpp"
#include "platform/process.hpp"
#include "platform/signals.hpp"

using mproc::Error;
using namespace mproc::platform;

#ifdef _WIN32
#define SKIP_ON_WINDOWS(why) GTEST_SKIP() << why
#else
#define SKIP_ON_WINDOWS(why) (void)0
#endif

TEST(Platform, WaitAnyReportsOnlyTheReadyDescriptor) {
  UniqueFd r1, w1, r2, w2;
  make_pipe(&r1, &w1);
  make_pipe(&r2, &w2);
  ASSERT_EQ(write_nowait(w2.get(), "x", 1), 1);
  FdWait waits[2] = {{r1.get(), IoWant::kRead, true}, {r2.get(), IoWant::kRead, false}};
  EXPECT_EQ(wait_any(waits, 2, Deadline::after_ms(5000)), 1u);
  EXPECT_FALSE(waits[0].ready);
  EXPECT_TRUE(waits[1].ready);
}

TEST(Platform, WaitAnyTimesOutWithNothingReady) {
  UniqueFd r, w;
  make_pipe(&r, &w);
  FdWait wait = {r.get(), IoWant::kRead, true};
  int64_t start = monotonic_ns();
  EXPECT_EQ(wait_any(&wait, 1, Deadline::after_ms(30)), 0u);
  EXPECT_FALSE(wait.ready);
  EXPECT_GE(monotonic_ns() - start, 30 * 1000000);
}

TEST(Platform, ReadNowaitSaysWouldBlockThenEndOfFile) {
  UniqueFd r, w;
  make_pipe(&r, &w);
  set_nonblocking(r.get(), true);
  char buf[8];
  EXPECT_EQ(read_nowait(r.get(), buf, sizeof buf), kWouldBlock);
  EXPECT_FALSE(readable_now(r.get()));
  w.reset();
  EXPECT_TRUE(readable_now(r.get()));
  EXPECT_EQ(read_nowait(r.get(), buf, sizeof buf), 0);
}

TEST(Platform, WriteNowaitToAGoneReaderIsEpipeNotSigpipe) {
  UniqueFd r, w;
  make_pipe(&r, &w);
  r.reset();
  // SIGPIPE would kill the test; the error comes back instead.
  try {
    write_nowait(w.get(), "x", 1);
    FAIL() << "a write with no reader succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MPROC_EPIPE);
  }
#ifndef _WIN32
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
#endif
}

TEST(Platform, StreamFileErrorsCarryTheCodeAndTheCallersWords) {
  try {
    open_stream_file("/nonexistent-dir/x", StreamFile::kRead, "cannot open it for stdin");
    FAIL() << "opened a file that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MPROC_ENOENT);
    EXPECT_NE(std::string(e.what()).find("cannot open it for stdin"), std::string::npos);
  }
  EXPECT_TRUE(is_directory("/"));
  EXPECT_FALSE(is_directory("/nonexistent-dir"));
  UniqueFd null_in = open_null(false);
  char c;
  EXPECT_EQ(read_nowait(null_in.get(), &c, 1), 0);  // the null device is at its end
}

TEST(Platform, SignalNumbersAndNames) {
#ifdef _WIN32
  // No signals: the POSIX numbers, which exit codes carry (-15 after a
  // terminate, as Python reports on Windows too).
  EXPECT_EQ(kSignalKill, 9);
  EXPECT_EQ(kSignalTerminate, 15);
#else
  EXPECT_EQ(kSignalKill, SIGKILL);
  EXPECT_EQ(kSignalTerminate, SIGTERM);
#endif
  EXPECT_EQ(signal_name(kSignalKill), "SIGKILL");
  EXPECT_EQ(signal_name(kSignalTerminate), "SIGTERM");  // glibc 2.32+ names it
  EXPECT_EQ(signal_name(0), "signal 0");                // no signal has number 0
}

TEST(Platform, AllSignalsBlockedRestoresTheMask) {
  SKIP_ON_WINDOWS("Windows has no signal masks: AllSignalsBlocked does nothing there");
#ifndef _WIN32
  SignalMask before = SignalMask::of_calling_thread();
  {
    AllSignalsBlocked blocked;
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, nullptr, &now);
    EXPECT_TRUE(sigismember(&now, SIGTERM));
    EXPECT_TRUE(sigismember(&now, SIGUSR1));
  }
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  EXPECT_FALSE(sigismember(&after, SIGUSR1));
  before.apply_to_calling_thread();
#endif
}

TEST(Platform, ForkedChildIsReapedThroughItsHandle) {
#ifdef _WIN32
  EXPECT_FALSE(fork_supported());
  GTEST_SKIP() << "Windows has no fork (fork_supported() is false)";
#else
  ASSERT_TRUE(fork_supported());
  int64_t pid = fork_process();
  if (pid == 0) exit_immediately(7);
  UniqueFd handle = process_handle_of_new_child(pid).handle;
  ASSERT_TRUE(wait_fd(handle.get(), IoWant::kRead, Deadline::after_ms(10000)));
  bool lost = true;
  ExitStatus st = try_reap(handle.get(), &lost);
  EXPECT_TRUE(st.reaped);
  EXPECT_FALSE(lost);
  EXPECT_EQ(st.exitcode, 7);
#endif
}

// With SIGCHLD ignored the kernel reaps a child the moment it exits: one
// that ends before its handle is opened is reported gone (it did run; its
// status is lost), with a handle that is readable at once, not an error.
// Run in a child of its own, so the test program's SIGCHLD stays as it was.
TEST(Platform, ChildTheSystemAlreadyReapedIsGone) {
  SKIP_ON_WINDOWS("Windows has no SIGCHLD: a child's handle comes from its creation");
#ifndef _WIN32
  int64_t tester = fork_process();
  if (tester == 0) {
    signal(SIGCHLD, SIG_IGN);
    int64_t kid = fork_process();
    if (kid == 0) exit_immediately(0);
    // Gone once the kernel has reaped it; a zombie would still answer.
    Deadline deadline = Deadline::after_ms(20000);
    while (::kill(static_cast<pid_t>(kid), 0) == 0) {
      if (deadline.expired()) exit_immediately(100);
      std::this_thread::yield();
    }
    int code = 0;
    try {
      NewChildHandle h = process_handle_of_new_child(kid);
      if (!h.gone) code = 101;
      else if (!readable_now(h.handle.get())) code = 102;
    } catch (...) {
      code = 103;  // what the start of such a child used to throw (ESRCH)
    }
    exit_immediately(code);
  }
  UniqueFd handle = process_handle_of_new_child(tester).handle;
  ASSERT_TRUE(wait_fd(handle.get(), IoWant::kRead, Deadline::after_ms(30000)));
  bool lost = true;
  ExitStatus st = try_reap(handle.get(), &lost);
  ASSERT_TRUE(st.reaped);
  EXPECT_EQ(st.exitcode, 0) << "100: never reaped, 101: not gone, 102: not readable, 103: threw";
#endif
}

TEST(Platform, KilledChildExitsAsMinusTheSignal) {
  SKIP_ON_WINDOWS("needs a fork()ed child; a killed spawned child's -9 is tested by the C suites");
#ifndef _WIN32
  int64_t pid = fork_process();
  if (pid == 0) {
    for (;;) pause();
  }
  UniqueFd handle = process_handle_of_new_child(pid).handle;
  EXPECT_EQ(signal_process(handle.get(), kSignalKill), 0);
  ASSERT_TRUE(wait_fd(handle.get(), IoWant::kRead, Deadline::after_ms(10000)));
  bool lost = true;
  ExitStatus st = try_reap(handle.get(), &lost);
  EXPECT_TRUE(st.reaped);
  EXPECT_EQ(st.exitcode, -kSignalKill);
#endif
}

// The forkserver's reaper, in a child of its own: it must see every child
// it forks end, with its status, and reap each exactly once.
TEST(Platform, ChildExitsReapsEveryEndedChild) {
  SKIP_ON_WINDOWS("ChildExits is the forkserver's reaper of fork()ed children: no fork on Windows");
#ifndef _WIN32
  int64_t pid = fork_process();
  if (pid == 0) {
    ChildExits exits;
    exits.open();
    std::vector<int64_t> kids;
    for (int code = 1; code <= 3; ++code) {
      int64_t kid = fork_process();
      if (kid == 0) exit_immediately(code);
      kids.push_back(kid);
    }
    int seen = 0, sum = 0;
    Deadline deadline = Deadline::after_ms(10000);
    while (seen < 3) {
      FdWait wait = {exits.fd(), IoWant::kRead, false};
      if (wait_any(&wait, 1, deadline) == 0) exit_immediately(100);  // hung
      exits.reap_ended([&](int64_t, int exitcode) {
        ++seen;
        sum += exitcode;
      });
    }
    exit_immediately(sum == 6 ? 0 : 101);
  }
  UniqueFd handle = process_handle_of_new_child(pid).handle;
  ASSERT_TRUE(wait_fd(handle.get(), IoWant::kRead, Deadline::after_ms(20000)));
  bool lost = true;
  ExitStatus st = try_reap(handle.get(), &lost);
  EXPECT_TRUE(st.reaped);
  EXPECT_EQ(st.exitcode, 0);
#endif
}
