// Queue workloads: one-way throughput (1x1 and 2x2 processes) for small
// and large messages, request/response round trips through two queues,
// and the resident cost of a large, nearly empty queue.
#include <mproc/mproc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "bench_workloads.hpp"

namespace {

mproc_queue_t* make_queue(size_t maxsize) {
  mproc_queue_opts_t* opts = nullptr;
  mproc_queue_t* q = nullptr;
  if (mproc_queue_opts_new(&opts) != 0 || mproc_queue_opts_set_maxsize(opts, maxsize) != 0 ||
      mproc_queue_new(&q, opts) != 0)
    bench::die("a queue");
  mproc_queue_opts_free(opts);
  return q;
}

mproc_process_t* start(const char* task, std::initializer_list<mproc_queue_t*> queues,
                       std::initializer_list<int64_t> numbers) {
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  if (mproc_args_new(&args) != 0) bench::die("arguments");
  for (auto* q : queues) mproc_args_add_queue(args, q);
  for (int64_t n : numbers) mproc_args_add_i64(args, n);
  if (mproc_process_new(&p, task, args, nullptr) != 0 || mproc_process_start(p) != 0)
    bench::die(task);
  return p;
}

void finish(mproc_process_t* p) {
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
}

// Receives until the queue closes; returns how many messages.
int64_t drain(mproc_queue_t* q, size_t size) {
  std::vector<char> buf(size + 1);
  int64_t got = 0;
  for (;;) {
    size_t len = 0;
    int rc = mproc_queue_get_into(q, buf.data(), buf.size(), &len, MPROC_FOREVER);
    if (rc != 0) return got;
    ++got;
  }
}

}  // namespace

// Puts `count` messages of `size` bytes.
MPROC_TASK(bench_queue_source) {
  mproc_queue_t* q = nullptr;
  int64_t size = 0, count = 0;
  if (mproc_args_get_queue(args, 0, &q) != 0 || mproc_args_get_i64(args, 1, &size) != 0 ||
      mproc_args_get_i64(args, 2, &count) != 0)
    return 1;
  std::vector<char> buf(static_cast<size_t>(size), 'x');
  for (int64_t i = 0; i < count; ++i)
    if (mproc_queue_put(q, buf.data(), buf.size(), MPROC_FOREVER) != 0) return 1;
  mproc_queue_free(q);
  return 0;
}

// Takes messages until the queue closes.
MPROC_TASK(bench_queue_sink) {
  mproc_queue_t* q = nullptr;
  int64_t size = 0;
  if (mproc_args_get_queue(args, 0, &q) != 0 || mproc_args_get_i64(args, 1, &size) != 0)
    return 1;
  drain(q, static_cast<size_t>(size));
  mproc_queue_free(q);
  return 0;
}

// Answers each request on queue 0 with the same bytes on queue 1.
MPROC_TASK(bench_queue_server) {
  mproc_queue_t *requests = nullptr, *replies = nullptr;
  if (mproc_args_get_queue(args, 0, &requests) != 0 || mproc_args_get_queue(args, 1, &replies) != 0)
    return 1;
  char buf[256];
  for (;;) {
    size_t len = 0;
    if (mproc_queue_get_into(requests, buf, sizeof buf, &len, MPROC_FOREVER) != 0) break;
    if (mproc_queue_put(replies, buf, len, MPROC_FOREVER) != 0) break;
  }
  mproc_queue_free(requests);
  mproc_queue_free(replies);
  return 0;
}

namespace {

// queue_throughput <size> <producers> <consumers>: M msgs/s (<= 4 KiB) or
// GB/s, between processes.
int queue_throughput(int argc, char** argv) {
  if (argc < 3) return 2;
  int64_t size = std::atoll(argv[0]);
  int producers = std::atoi(argv[1]), consumers = std::atoi(argv[2]);
  int64_t count = size <= 64 ? 4000000 : size <= 4096 ? 1000000 : 4000;
  bench::use_fork_where_available();
  mproc_queue_t* q = make_queue(0);
  std::vector<mproc_process_t*> sinks, sources;
  double t0 = bench_now_s();
  for (int i = 1; i < consumers; ++i) sinks.push_back(start("bench_queue_sink", {q}, {size}));
  for (int i = 0; i < producers; ++i)
    sources.push_back(start("bench_queue_source", {q}, {size, count / producers}));
  std::atomic<bool> closed{false};
  // This process is the last consumer; it closes the queue once every
  // producer is done, so all consumers drain and stop.
  std::thread closer([&] {
    for (auto* p : sources) finish(p);
    mproc_queue_close(q);
    closed = true;
  });
  drain(q, static_cast<size_t>(size));
  closer.join();
  for (auto* p : sinks) finish(p);
  double elapsed = bench_now_s() - t0;
  mproc_queue_free(q);
  int64_t total = count / producers * producers;
  bench::report(size <= 4096 ? total / elapsed / 1e6 : total * size / elapsed / 1e9);
  return 0;
}

// queue_roundtrip: microseconds per 64-byte request and reply through two
// queues between two processes.
int queue_roundtrip(int, char**) {
  bench::use_fork_where_available();
  mproc_queue_t* requests = make_queue(0);
  mproc_queue_t* replies = make_queue(0);
  mproc_process_t* server = start("bench_queue_server", {requests, replies}, {});
  char msg[64] = {0}, back[64];
  const int warm = 2000, rounds = 100000;
  double t0 = 0;
  for (int i = 0; i < warm + rounds; ++i) {
    if (i == warm) t0 = bench_now_s();
    size_t len = 0;
    if (mproc_queue_put(requests, msg, sizeof msg, MPROC_FOREVER) != 0 ||
        mproc_queue_get_into(replies, back, sizeof back, &len, MPROC_FOREVER) != 0)
      return 1;
  }
  double elapsed = bench_now_s() - t0;
  mproc_queue_close(requests);
  finish(server);
  mproc_queue_free(requests);
  mproc_queue_free(replies);
  bench::report(elapsed / rounds * 1e6);
  return 0;
}

// queue_rss: MiB of resident memory a queue with the default 1 GiB
// capacity adds to this process when it holds one 64-byte message.
int queue_rss(int, char**) {
  int64_t pid = mproc_getpid();
  double before = bench_rss_mib(pid);
  mproc_queue_t* q = make_queue(0);
  char msg[64] = {0};
  if (mproc_queue_put(q, msg, sizeof msg, 0) != 0) return 1;
  double after = bench_rss_mib(pid);
  mproc_queue_free(q);
  bench::report(after - before);
  return 0;
}

// queue_idle_cpu: CPU milliseconds a consumer uses while it waits 1 s on
// an empty queue.
int queue_idle_cpu(int, char**) {
  mproc_queue_t* q = make_queue(0);
  double before = bench_cpu_ms();
  mproc_msg_t* m = nullptr;
  if (mproc_queue_get(q, &m, 1000) != MPROC_EEMPTY) return 1;
  double cpu = bench_cpu_ms() - before;
  mproc_queue_free(q);
  bench::report(cpu);
  return 0;
}

bench::Registration reg_throughput("queue_throughput", queue_throughput);
bench::Registration reg_idle("queue_idle_cpu", queue_idle_cpu);
bench::Registration reg_roundtrip("queue_roundtrip", queue_roundtrip);
bench::Registration reg_rss("queue_rss", queue_rss);

}  // namespace
