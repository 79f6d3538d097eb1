// The registry of mproc-side workloads: each bench_*.cpp adds its entries
// at load time with a static Registration.
#pragma once

#include <vector>

namespace bench {

struct Workload {
  const char* name;
  int (*run)(int argc, char** argv);  // prints one number, returns 0
};

std::vector<Workload>& workloads();

struct Registration {
  Registration(const char* name, int (*run)(int, char**)) {
    workloads().push_back({name, run});
  }
};

// Prints the measured figure the runner reads (last line, first token).
void report(double value);

// Ends a workload whose mproc call failed: prints what failed and
// mproc_last_error() on stderr (the runner shows it) and exits 1.
[[noreturn]] void die(const char* what);

// The start method of the workloads that measure a running child rather
// than its start: fork where it exists (the Linux figures), spawn on
// Windows, which has nothing else. mproc_set_start_method accepts fork
// everywhere; only the start would fail (ENOTSUP).
void use_fork_where_available();

}  // namespace bench
