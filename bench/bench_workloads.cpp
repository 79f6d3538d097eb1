#include "bench_workloads.hpp"

#include "bench_util.h"

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

int echo_until_empty(mproc_conn_t* c, size_t buffer) {
  std::vector<char> buf(buffer);
  int code = 0;
  for (;;) {
    size_t len = 0;
    if (mproc_conn_recv_into(c, buf.data(), buf.size(), &len, MPROC_FOREVER) != 0) {
      code = 3;
      break;
    }
    if (len == 0) break;
    if (mproc_conn_send(c, buf.data(), len, MPROC_FOREVER) != 0) {
      code = 4;
      break;
    }
  }
  mproc_conn_free(c);
  return code;
}

int send_then_empty(mproc_conn_t* c, int64_t size, int64_t count) {
  std::vector<char> buf(static_cast<size_t>(size), 'x');
  int code = 0;
  for (int64_t i = 0; i < count && code == 0; ++i)
    if (mproc_conn_send(c, buf.data(), buf.size(), MPROC_FOREVER) != 0) code = 3;
  if (code == 0) mproc_conn_send(c, "", 0, MPROC_FOREVER);
  mproc_conn_free(c);
  return code;
}

double pingpong_us(mproc_conn_t* c, int rounds) {
  char msg[64] = {0}, back[64];
  const int warm = 2000;
  double t0 = 0;
  for (int i = 0; i < warm + rounds; ++i) {
    if (i == warm) t0 = bench_now_s();
    size_t len = 0;
    if (mproc_conn_send(c, msg, sizeof msg, MPROC_FOREVER) != 0 ||
        mproc_conn_recv_into(c, back, sizeof back, &len, MPROC_FOREVER) != 0)
      return -1;
  }
  double elapsed = bench_now_s() - t0;
  mproc_conn_send(c, "", 0, MPROC_FOREVER);
  return elapsed / rounds * 1e6;
}

int64_t receive_until_empty(mproc_conn_t* c, int64_t size) {
  std::vector<char> buf(static_cast<size_t>(size) + 1);
  int64_t got = 0;
  for (;;) {
    size_t len = 0;
    if (mproc_conn_recv_into(c, buf.data(), buf.size(), &len, MPROC_FOREVER) != 0) return -1;
    if (len == 0) return got;
    ++got;
  }
}

}  // namespace bench
