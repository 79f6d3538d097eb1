// Connection workloads: 64-byte ping-pong round trip, and one-way
// throughput for small and large messages, between two processes.
#include <mproc/mproc.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_util.h"
#include "bench_workloads.hpp"

// Echoes each message until an empty one.
MPROC_TASK(bench_echo) {
  mproc_conn_t* c = nullptr;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 1;
  return bench::echo_until_empty(c, 1 << 20);
}

// Sends `count` messages of `size` bytes, then an empty one.
MPROC_TASK(bench_source) {
  mproc_conn_t* c = nullptr;
  int64_t size = 0, count = 0;
  if (mproc_args_get_conn(args, 0, &c) != 0 || mproc_args_get_i64(args, 1, &size) != 0 ||
      mproc_args_get_i64(args, 2, &count) != 0)
    return 1;
  return bench::send_then_empty(c, size, count);
}

namespace {

mproc_process_t* start_with(const char* task, mproc_conn_t** near, int64_t a, int64_t b) {
  mproc_conn_t* far = nullptr;
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  bench::use_fork_where_available();
  if (mproc_conn_pipe(near, &far, 1) != 0 || mproc_args_new(&args) != 0 ||
      mproc_args_add_conn(args, far) != 0)
    bench::die("a pipe for the child");
  if (a >= 0) mproc_args_add_i64(args, a);
  if (b >= 0) mproc_args_add_i64(args, b);
  if (mproc_process_new(&p, task, args, nullptr) != 0 || mproc_process_start(p) != 0)
    bench::die(task);
  mproc_conn_free(far);
  return p;
}

// conn_pingpong: microseconds per 64-byte round trip.
int conn_pingpong(int, char**) {
  mproc_conn_t* c = nullptr;
  mproc_process_t* p = start_with("bench_echo", &c, -1, -1);
  double us = bench::pingpong_us(c, 50000);
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
  mproc_conn_free(c);
  if (us < 0) return 1;
  bench::report(us);
  return 0;
}

// conn_throughput <size>: one-way, M msgs/s (64 B) or GB/s (larger).
int conn_throughput(int argc, char** argv) {
  int64_t size = argc > 0 ? std::atoll(argv[0]) : 64;
  int64_t count = size <= 4096 ? 2000000 : 2000;
  mproc_conn_t* c = nullptr;
  double t0 = bench_now_s();
  mproc_process_t* p = start_with("bench_source", &c, size, count);
  int64_t got = bench::receive_until_empty(c, size);
  double elapsed = bench_now_s() - t0;
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
  mproc_conn_free(c);
  if (got != count) return 1;
  bench::report(size <= 4096 ? count / elapsed / 1e6 : count * size / elapsed / 1e9);
  return 0;
}

bench::Registration reg_pingpong("conn_pingpong", conn_pingpong);
bench::Registration reg_throughput("conn_throughput", conn_throughput);

}  // namespace
