// The registry of mproc-side workloads: each bench_*.cpp adds its entries
// at load time with a static Registration.
#pragma once

#include <mproc/mproc.h>

#include <cstdint>
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

// The two ends of the connection workloads, in a child: echo each message
// back until an empty one (messages up to `buffer` bytes), and send
// `count` messages of `size` bytes then an empty one. Both return 0, or
// the non-zero exit code that says which call failed, and free `c`.
int echo_until_empty(mproc_conn_t* c, size_t buffer);
int send_then_empty(mproc_conn_t* c, int64_t size, int64_t count);

// The near ends of those workloads. Round trips of 64 bytes with a peer
// that echoes (after a warm-up), then the empty message that ends it:
// microseconds per round trip, or -1 when a call failed. And receiving
// until the empty message: how many messages of at most `size` bytes came
// (-1 when a call failed). Neither frees `c`.
double pingpong_us(mproc_conn_t* c, int rounds);
int64_t receive_until_empty(mproc_conn_t* c, int64_t size);

}  // namespace bench
