// Process workloads: start+join latency of a trivial task per start method,
// of a program run as a command, and the resident memory of an idle child.
#include <mproc/mproc.h>

#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_util.h"
#include "bench_workloads.hpp"

MPROC_TASK(bench_noop) {
  (void)args;
  return 0;
}

// Tells the parent it is up, then waits for the parent to let it go.
MPROC_TASK(bench_idle) {
  mproc_conn_t* c = nullptr;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 1;
  mproc_conn_send(c, "up", 2, MPROC_FOREVER);
  mproc_msg_t* m = nullptr;
  mproc_conn_recv(c, &m, MPROC_FOREVER);
  mproc_msg_free(m);
  mproc_conn_free(c);
  return 0;
}

namespace {

bool set_method(int argc, char** argv) {
  if (argc < 1) return false;
  mproc_start_method_t m = MPROC_START_SPAWN;
  if (std::strcmp(argv[0], "fork") == 0) m = MPROC_START_FORK;
  if (std::strcmp(argv[0], "forkserver") == 0) m = MPROC_START_FORKSERVER;
  return mproc_set_start_method(m) == 0;
}

bool start_join_once() {
  mproc_process_t* p = nullptr;
  if (mproc_process_new(&p, "bench_noop", nullptr, nullptr) != 0) return false;
  bool ok = mproc_process_start(p) == 0 && mproc_process_join(p, 60000) == 0;
  mproc_process_free(p);
  return ok;
}

// start_join <method>: milliseconds per start+join of a task that returns.
int start_join(int argc, char** argv) {
  if (!set_method(argc, argv)) return 2;
  int rounds = mproc_get_start_method() == MPROC_START_SPAWN ? 60 : 300;
  for (int i = 0; i < 5; ++i)
    if (!start_join_once()) return 1;  // warm: forkserver start, page cache
  double t0 = bench_now_s();
  for (int i = 0; i < rounds; ++i)
    if (!start_join_once()) {
      std::fprintf(stderr, "start_join: %s\n", mproc_last_error());
      return 1;
    }
  bench::report((bench_now_s() - t0) / rounds * 1e3);
  return 0;
}

// fork_exit_here: milliseconds per bare fork + _exit + waitpid made by this
// very process once mproc has started a child (its runtime is up): the
// floor for the fork start method in a process of this size, as fork's
// cost grows with the page tables and mappings it copies.
int fork_exit_here(int, char**) {
#ifdef _WIN32
  // Asked for by name only: bench/run.py runs no fork workload under Wine.
  std::fprintf(stderr, "fork_exit_here: skipped: Windows has no fork\n");
  return 2;
#else
  if (mproc_set_start_method(MPROC_START_FORK) != 0 || !start_join_once()) return 1;
  const int rounds = 300;
  double t0 = 0;
  for (int i = 0; i < rounds + 20; ++i) {
    if (i == 20) t0 = bench_now_s();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 1;
  }
  bench::report((bench_now_s() - t0) / rounds * 1e3);
  return 0;
#endif
}

// child_rss <method>: resident memory of an idle child, in MiB.
int child_rss(int argc, char** argv) {
  if (!set_method(argc, argv)) return 2;
  mproc_conn_t *near = nullptr, *far = nullptr;
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  if (mproc_conn_pipe(&near, &far, 1) != 0 || mproc_args_new(&args) != 0 ||
      mproc_args_add_conn(args, far) != 0 ||
      mproc_process_new(&p, "bench_idle", args, nullptr) != 0 || mproc_process_start(p) != 0)
    return 1;
  mproc_conn_free(far);
  mproc_msg_t* m = nullptr;
  if (mproc_conn_recv(near, &m, 60000) != 0) return 1;
  mproc_msg_free(m);
  int64_t pid = 0;
  mproc_process_pid(p, &pid);
  double mib = bench_rss_mib(pid);
  mproc_conn_send(near, "go", 2, MPROC_FOREVER);
  mproc_process_join(p, 60000);
  mproc_process_free(p);
  mproc_conn_free(near);
  if (mib <= 0) return 1;
  bench::report(mib);
  return 0;
}

#ifndef _WIN32
// (Linux only: the program it runs, /bin/true, has no twin under Wine.)
// command_run <program>: milliseconds per start + join of a program run as
// an mproc_command_t (its streams inherited), the work of Boost.Process's
// child + wait.
int command_run(int argc, char** argv) {
  if (argc < 1) return 2;
  const char* cmd_argv[] = {argv[0], nullptr};
  const int warm = 5, rounds = 200;  // as boost_process.cpp
  double t0 = 0;
  for (int i = 0; i < warm + rounds; ++i) {
    if (i == warm) t0 = bench_now_s();
    mproc_command_t* cmd = nullptr;
    int code = -1;
    if (mproc_command_new(&cmd, cmd_argv, nullptr) != 0 || mproc_command_start(cmd) != 0 ||
        mproc_command_join(cmd, 60000) != 0 || mproc_command_exitcode(cmd, &code) != 0 || code != 0)
      bench::die("command_run");
    mproc_command_free(cmd);
  }
  bench::report((bench_now_s() - t0) / rounds * 1e3);
  return 0;
}
#endif

bench::Registration reg_start_join("start_join", start_join);
#ifndef _WIN32
bench::Registration reg_command_run("command_run", command_run);
#endif
bench::Registration reg_child_rss("child_rss", child_rss);
bench::Registration reg_fork_exit_here("fork_exit_here", fork_exit_here);

}  // namespace
