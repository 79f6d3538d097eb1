// Process workloads: start+join latency of a trivial task per start method,
// and the resident memory of an idle child.
#include <mproc/mproc.h>

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

namespace {

mproc_start_method_t method_from(const char* name) {
  if (std::strcmp(name, "fork") == 0) return MPROC_START_FORK;
  if (std::strcmp(name, "forkserver") == 0) return MPROC_START_FORKSERVER;
  return MPROC_START_SPAWN;
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
  if (argc < 1) return 2;
  mproc_set_start_method(method_from(argv[0]));
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

bench::Registration reg_start_join("start_join", start_join);

}  // namespace
