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

}  // namespace bench
