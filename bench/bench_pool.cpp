// Pool workloads: many trivial apply_async tasks, a map over a million
// small inputs, and a CPU-bound map against the same work in one process.
#include <mproc/mproc.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_util.h"
#include "bench_workloads.hpp"

MPROC_POOL_TASK(bench_identity) { return mproc_result_set(out, in, len); }


MPROC_POOL_TASK(bench_double) {
  int64_t v;
  std::memcpy(&v, in, sizeof v);
  v *= 2;
  return mproc_result_set(out, &v, sizeof v);
}

// A tight integer loop: the CPU-bound work of one item.
static int64_t spin_work(int64_t seed) {
  uint64_t x = static_cast<uint64_t>(seed) | 1;
  for (int i = 0; i < 10000000; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<int64_t>(x >> 1);
}

MPROC_POOL_TASK(bench_spin) {
  int64_t v;
  std::memcpy(&v, in, sizeof v);
  v = spin_work(v);
  return mproc_result_set(out, &v, sizeof v);
}

namespace {

// The pool a workload runs on: local workers (fork where it exists), or,
// when the workload's argument is "mpi", MPI ranks spawned on this machine
// (mproc/pool_mpi.h; bench/py_mpi_baselines.py runs mpi4py's side).
mproc_pool_t* make_pool(size_t n, int argc, char** argv) {
  bool mpi = argc > 0 && std::strcmp(argv[0], "mpi") == 0;
  if (!mpi) bench::use_fork_where_available();
  mproc_pool_opts_t* opts = nullptr;
  mproc_pool_t* pool = nullptr;
  if (mproc_pool_opts_new(&opts) != 0 || mproc_pool_opts_set_processes(opts, n) != 0 ||
      mproc_pool_opts_set_backend(opts, mpi ? MPROC_POOL_BACKEND_MPI : MPROC_POOL_BACKEND_LOCAL) !=
          0 ||
      mproc_pool_new(&pool, opts) != 0)
    bench::die("a pool");
  mproc_pool_opts_free(opts);
  return pool;
}

void end_pool(mproc_pool_t* pool) {
  mproc_pool_close(pool);
  mproc_pool_join(pool, MPROC_FOREVER);
  mproc_pool_free(pool);
}

// pool_apply_async: thousands of trivial tasks per second (Pool(2), 20,000
// tasks submitted, then every result collected).
int pool_apply_async(int argc, char** argv) {
  mproc_pool_t* pool = make_pool(2, argc, argv);
  const int n = 20000;
  std::vector<mproc_future_t*> fs(n);
  int64_t v = 7;
  // Warm the workers up.
  for (int i = 0; i < 200; ++i) {
    mproc_future_t* f = nullptr;
    mproc_pool_apply_async(pool, "bench_identity", &v, sizeof v, nullptr, &f);
    mproc_future_wait(f, MPROC_FOREVER);
    mproc_future_free(f);
  }
  double t0 = bench_now_s();
  for (int i = 0; i < n; ++i)
    if (mproc_pool_apply_async(pool, "bench_identity", &v, sizeof v, nullptr, &fs[i]) != 0)
      return 1;
  for (int i = 0; i < n; ++i) {
    mproc_msg_t* m = nullptr;
    if (mproc_future_result(fs[i], &m, MPROC_FOREVER) != 0) return 1;
    mproc_msg_free(m);
    mproc_future_free(fs[i]);
  }
  double elapsed = bench_now_s() - t0;
  end_pool(pool);
  bench::report(n / elapsed / 1e3);
  return 0;
}

// pool_map: millions of items per second, a map over 1,000,000 int64s.
int pool_map(int argc, char** argv) {
  mproc_pool_t* pool = make_pool(2, argc, argv);
  const size_t n = 1000000;
  std::vector<int64_t> in(n), out(n);
  for (size_t i = 0; i < n; ++i) in[i] = static_cast<int64_t>(i);
  mproc_pool_map(pool, "bench_double", in.data(), 8, 1000, out.data(), 8, nullptr,
                 nullptr);  // warm
  double t0 = bench_now_s();
  if (mproc_pool_map(pool, "bench_double", in.data(), 8, n, out.data(), 8, nullptr, nullptr) != 0)
    return 1;
  double elapsed = bench_now_s() - t0;
  for (size_t i = 0; i < n; ++i)
    if (out[i] != 2 * in[i]) return 1;
  end_pool(pool);
  bench::report(n / elapsed / 1e6);
  return 0;
}

const int kSpinItems = 32;

// cpu_map_pool: seconds for a CPU-bound map of 32 items on Pool(2).
int cpu_map_pool(int argc, char** argv) {
  mproc_pool_t* pool = make_pool(2, argc, argv);
  std::vector<int64_t> in(kSpinItems), out(kSpinItems);
  for (int i = 0; i < kSpinItems; ++i) in[i] = i;
  mproc_map_opts_t* one_per_chunk = nullptr;  // each item on its own, as Python's chunksize=1
  if (mproc_map_opts_new(&one_per_chunk) != 0 ||
      mproc_map_opts_set_chunksize(one_per_chunk, 1) != 0)
    return 1;
  // One item each first: freshly spawned workers (MPI ranks) page their
  // code in, as forked ones have theirs already.
  if (mproc_pool_map(pool, "bench_spin", in.data(), 8, 2, out.data(), 8, one_per_chunk,
                     nullptr) != 0)
    return 1;
  double t0 = bench_now_s();
  int rc = mproc_pool_map(pool, "bench_spin", in.data(), 8, kSpinItems, out.data(), 8,
                          one_per_chunk, nullptr);
  mproc_map_opts_free(one_per_chunk);
  if (rc != 0) return 1;
  double elapsed = bench_now_s() - t0;
  for (int i = 0; i < kSpinItems; ++i)
    if (out[i] != spin_work(in[i])) return 1;
  end_pool(pool);
  bench::report(elapsed);
  return 0;
}

// cpu_map_serial: seconds for the same work in this one process.
int cpu_map_serial(int, char**) {
  volatile int64_t sink = 0;
  double t0 = bench_now_s();
  for (int i = 0; i < kSpinItems; ++i) sink = sink + spin_work(i);
  bench::report(bench_now_s() - t0);
  return 0;
}

bench::Registration reg_apply("pool_apply_async", pool_apply_async);
bench::Registration reg_map("pool_map", pool_map);
bench::Registration reg_cpu("cpu_map_pool", cpu_map_pool);
bench::Registration reg_serial("cpu_map_serial", cpu_map_serial);

}  // namespace
