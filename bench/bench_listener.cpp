// Listener/Client workloads (issue 15): over an authenticated TCP loopback
// connection, a 64-byte request/reply round trip and one-way 64-byte
// throughput; and connections accepted and authenticated per second.
#include <mproc/mproc.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "bench_workloads.hpp"

namespace {

mproc_conn_t* connect_to(const char* address, size_t send_buffer = 0) {
  mproc_net_opts_t* opts = nullptr;
  mproc_conn_t* c = nullptr;
  if (mproc_net_opts_new(&opts) != 0 || mproc_net_opts_set_send_buffer(opts, send_buffer) != 0 ||
      mproc_conn_connect(&c, address, opts, 30000) != 0)
    c = nullptr;
  mproc_net_opts_free(opts);
  return c;
}

}  // namespace

// Connects (with the key inherited from the parent) and echoes each
// message until an empty one.
MPROC_TASK(bench_net_echo) {
  const char* address = nullptr;
  if (mproc_args_get_str(args, 0, &address) != 0) return 1;
  mproc_conn_t* c = connect_to(address);
  if (c == nullptr) return 2;
  return bench::echo_until_empty(c, 1 << 16);
}

// Connects and sends `count` messages of `size` bytes, then an empty one,
// through a send buffer of `buffer` bytes (0: none).
MPROC_TASK(bench_net_source) {
  const char* address = nullptr;
  int64_t size = 0, count = 0, buffer = 0;
  if (mproc_args_get_str(args, 0, &address) != 0 || mproc_args_get_i64(args, 1, &size) != 0 ||
      mproc_args_get_i64(args, 2, &count) != 0 || mproc_args_get_i64(args, 3, &buffer) != 0)
    return 1;
  mproc_conn_t* c = connect_to(address, static_cast<size_t>(buffer));
  if (c == nullptr) return 2;
  return bench::send_then_empty(c, size, count);
}

// Connects, authenticates and closes, `count` times in a row.
MPROC_TASK(bench_net_dialer) {
  const char* address = nullptr;
  int64_t count = 0;
  if (mproc_args_get_str(args, 0, &address) != 0 || mproc_args_get_i64(args, 1, &count) != 0)
    return 1;
  for (int64_t i = 0; i < count; ++i) {
    mproc_conn_t* c = connect_to(address);
    if (c == nullptr) return 2;
    mproc_conn_free(c);
  }
  return 0;
}

namespace {

struct Served {
  mproc_listener_t* listener = nullptr;
  mproc_process_t* child = nullptr;
};

// A listener on TCP loopback and a child running `task` against it.
Served serve(const char* task, int64_t a, int64_t b, int64_t c = -1) {
  Served s;
  bench::use_fork_where_available();
  const char* address = nullptr;
  mproc_args_t* args = nullptr;
  if (mproc_listener_new(&s.listener, "tcp:127.0.0.1:0", nullptr) != 0 ||
      mproc_listener_address(s.listener, &address) != 0 || mproc_args_new(&args) != 0 ||
      mproc_args_add_str(args, address) != 0)
    bench::die("a listener");
  if (a >= 0) mproc_args_add_i64(args, a);
  if (b >= 0) mproc_args_add_i64(args, b);
  if (c >= 0) mproc_args_add_i64(args, c);
  if (mproc_process_new(&s.child, task, args, nullptr) != 0 || mproc_process_start(s.child) != 0)
    bench::die(task);
  return s;
}

void finish(Served& s) {
  int code = -1;
  if (mproc_process_join(s.child, MPROC_FOREVER) != 0 ||
      mproc_process_exitcode(s.child, &code) != 0 || code != 0)
    bench::die("the child");
  mproc_process_free(s.child);
  mproc_listener_free(s.listener);
}

mproc_conn_t* accept_one(Served& s) {
  mproc_conn_t* c = nullptr;
  if (mproc_listener_accept(s.listener, &c, 60000) != 0) bench::die("accept");
  return c;
}

// net_pingpong: microseconds per 64-byte round trip.
int net_pingpong(int, char**) {
  Served s = serve("bench_net_echo", -1, -1);
  mproc_conn_t* c = accept_one(s);
  double us = bench::pingpong_us(c, 50000);
  mproc_conn_free(c);
  finish(s);
  if (us < 0) return 1;
  bench::report(us);
  return 0;
}

// net_throughput <size> [send buffer]: one-way messages, M msgs/s.
int net_throughput(int argc, char** argv) {
  int64_t size = argc > 0 ? std::atoll(argv[0]) : 64;
  int64_t buffer = argc > 1 ? std::atoll(argv[1]) : 0;
  int64_t count = buffer > 0 ? 10000000 : 2000000;
  Served s = serve("bench_net_source", size, count, buffer);
  mproc_conn_t* c = accept_one(s);
  double t0 = bench_now_s();
  int64_t got = bench::receive_until_empty(c, size);
  double elapsed = bench_now_s() - t0;
  mproc_conn_free(c);
  finish(s);
  if (got != count) return 1;
  bench::report(count / elapsed / 1e6);
  return 0;
}

// net_accepts: connections accepted and authenticated per second (one
// client connecting again and again).
int net_accepts(int, char**) {
  const int64_t count = 3000;
  Served s = serve("bench_net_dialer", count, -1);
  double t0 = bench_now_s();
  for (int64_t i = 0; i < count; ++i) mproc_conn_free(accept_one(s));
  double elapsed = bench_now_s() - t0;
  finish(s);
  bench::report(count / elapsed);
  return 0;
}

bench::Registration reg_pingpong("net_pingpong", net_pingpong);
bench::Registration reg_throughput("net_throughput", net_throughput);
bench::Registration reg_accepts("net_accepts", net_accepts);

}  // namespace
