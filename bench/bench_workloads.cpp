#include "bench_workloads.hpp"

#include <mproc/mproc.h>

#include <cstdio>
#include <cstdlib>

namespace bench {

std::vector<Workload>& workloads() {
  static std::vector<Workload> all;
  return all;
}

void report(double value) { std::printf("%.6g\n", value); }

void die(const char* what) {
  std::fprintf(stderr, "mproc-bench: %s: %s\n", what, mproc_last_error());
  std::exit(1);
}

void use_fork_where_available() {
#ifdef _WIN32
  mproc_set_start_method(MPROC_START_SPAWN);
#else
  mproc_set_start_method(MPROC_START_FORK);
#endif
}

}  // namespace bench
