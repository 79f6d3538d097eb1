// The mproc side of every benchmark workload. `mproc-bench <workload>`
// measures one run and prints one number in the workload's unit (see
// workloads.py). Each workload lives in its own bench_*.cpp file and
// registers itself in the table below.
#include <mproc/mproc.h>

#include <cstdio>
#include <cstring>

#include "bench_workloads.hpp"

int main(int argc, char** argv) {
  if (mproc_main(argc, argv) != 0) return 1;
  if (argc < 2) {
    std::fprintf(stderr, "usage: mproc-bench <workload> [args]\n");
    for (const auto& w : bench::workloads()) std::fprintf(stderr, "  %s\n", w.name);
    return 2;
  }
  for (const auto& w : bench::workloads()) {
    if (std::strcmp(w.name, argv[1]) == 0) return w.run(argc - 2, argv + 2);
  }
  std::fprintf(stderr, "mproc-bench: unknown workload '%s'\n", argv[1]);
  return 2;
}
