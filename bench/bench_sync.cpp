// Synchronisation workloads: uncontended acquire+release pairs, the
// hand-off round trip between two processes through two semaphores, two
// processes taking turns at one lock, and the CPU a waiter burns while
// blocked.
#include <mproc/mproc.h>

#include <cstring>

#include "bench_util.h"
#include "bench_workloads.hpp"

// Ping-pong partner: waits on sem 0, posts sem 1, `rounds` times.
MPROC_TASK(bench_pong) {
  mproc_sem_t *ping = nullptr, *pong = nullptr;
  int64_t rounds = 0;
  if (mproc_args_get_sem(args, 0, &ping) != 0 || mproc_args_get_sem(args, 1, &pong) != 0 ||
      mproc_args_get_i64(args, 2, &rounds) != 0)
    return 1;
  for (int64_t i = 0; i < rounds; ++i) {
    if (mproc_sem_acquire(ping, MPROC_FOREVER) != 0) return 1;
    if (mproc_sem_release(pong) != 0) return 1;
  }
  mproc_sem_free(ping);
  mproc_sem_free(pong);
  return 0;
}

namespace {

constexpr int64_t kTurnsPerSide = 2000000;  // as boost_ipc.cpp's mutex_2proc

// One side of lock_2proc: kTurnsPerSide acquire, bump, release.
int take_turns(mproc_lock_t* lock, int64_t* counter) {
  for (int64_t i = 0; i < kTurnsPerSide; ++i) {
    if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return 1;
    ++*counter;
    if (mproc_lock_release(lock) != 0) return 1;
  }
  return 0;
}

}  // namespace

// The other side of lock_2proc, in a child: args are the lock and the
// shared counter.
MPROC_TASK(bench_lock_turns) {
  mproc_lock_t* lock = nullptr;
  mproc_shm_t* shm = nullptr;
  void* data = nullptr;
  if (mproc_args_get_lock(args, 0, &lock) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_shm_data(shm, &data) != 0)
    return 1;
  int rc = take_turns(lock, static_cast<int64_t*>(data));
  mproc_shm_free(shm);
  mproc_lock_free(lock);
  return rc;
}

namespace {

constexpr long kPairs = 20000000;

// lock_pairs [named]: millions of uncontended acquire+release pairs per
// second, of an anonymous lock or of a named one (Boost's named_mutex row).
int lock_pairs(int argc, char** argv) {
  mproc_lock_t* lock = nullptr;
  mproc_shared_opts_t* opts = nullptr;
  if (argc >= 1 && std::strcmp(argv[0], "named") == 0 &&
      (mproc_shared_opts_new(&opts) != 0 || mproc_shared_opts_set_named(opts, 1) != 0))
    return 1;
  int rc = mproc_lock_new(&lock, opts);
  mproc_shared_opts_free(opts);
  if (rc != 0) return 1;
  for (long i = 0; i < 100000; ++i) {
    mproc_lock_acquire(lock, MPROC_FOREVER);
    mproc_lock_release(lock);
  }
  double t0 = bench_now_s();
  for (long i = 0; i < kPairs; ++i) {
    if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return 1;
    mproc_lock_release(lock);
  }
  double elapsed = bench_now_s() - t0;
  const char* name = "";
  mproc_lock_name(lock, &name);
  if (name[0] != '\0') mproc_unlink(name);
  mproc_lock_free(lock);
  bench::report(kPairs / elapsed / 1e6);
  return 0;
}

// lock_2proc: two processes each taking one lock kTurnsPerSide times (to
// bump a shared counter): millions of pairs per second, both sides together.
int lock_2proc(int, char**) {
  mproc_lock_t* lock = nullptr;
  mproc_shm_t* shm = nullptr;
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  bench::use_fork_where_available();
  if (mproc_lock_new(&lock, nullptr) != 0 || mproc_shm_new(&shm, sizeof(int64_t), nullptr) != 0 ||
      mproc_args_new(&args) != 0 || mproc_args_add_lock(args, lock) != 0 ||
      mproc_args_add_shm(args, shm) != 0 || mproc_process_new(&p, "bench_lock_turns", args, nullptr) != 0)
    return 1;
  void* data = nullptr;
  if (mproc_shm_data(shm, &data) != 0) return 1;
  auto* counter = static_cast<int64_t*>(data);
  double t0 = bench_now_s();
  if (mproc_process_start(p) != 0 || take_turns(lock, counter) != 0) return 1;
  int code = -1;
  if (mproc_process_join(p, MPROC_FOREVER) != 0 || mproc_process_exitcode(p, &code) != 0 || code != 0)
    return 1;
  double elapsed = bench_now_s() - t0;
  if (*counter != 2 * kTurnsPerSide) return 1;
  mproc_process_free(p);
  mproc_shm_free(shm);
  mproc_lock_free(lock);
  bench::report(2.0 * kTurnsPerSide / elapsed / 1e6);
  return 0;
}

// sem_pairs: millions of uncontended acquire+release pairs per second.
int sem_pairs(int, char**) {
  mproc_sem_t* sem = nullptr;
  if (mproc_sem_new(&sem, 1, nullptr) != 0) return 1;
  for (long i = 0; i < 100000; ++i) {
    mproc_sem_acquire(sem, MPROC_FOREVER);
    mproc_sem_release(sem);
  }
  double t0 = bench_now_s();
  for (long i = 0; i < kPairs; ++i) {
    if (mproc_sem_acquire(sem, MPROC_FOREVER) != 0) return 1;
    mproc_sem_release(sem);
  }
  double elapsed = bench_now_s() - t0;
  mproc_sem_free(sem);
  bench::report(kPairs / elapsed / 1e6);
  return 0;
}

// handoff: microseconds per round trip, two processes alternating through
// two semaphores.
int handoff(int, char**) {
  const int64_t warm = 2000, rounds = 100000;
  mproc_sem_t *ping = nullptr, *pong = nullptr;
  mproc_args_t* args = nullptr;
  mproc_process_t* p = nullptr;
  bench::use_fork_where_available();
  if (mproc_sem_new(&ping, 0, nullptr) != 0 || mproc_sem_new(&pong, 0, nullptr) != 0 ||
      mproc_args_new(&args) != 0 || mproc_args_add_sem(args, ping) != 0 ||
      mproc_args_add_sem(args, pong) != 0 || mproc_args_add_i64(args, warm + rounds) != 0 ||
      mproc_process_new(&p, "bench_pong", args, nullptr) != 0 || mproc_process_start(p) != 0)
    return 1;
  double t0 = 0;
  for (int64_t i = 0; i < warm + rounds; ++i) {
    if (i == warm) t0 = bench_now_s();
    mproc_sem_release(ping);
    if (mproc_sem_acquire(pong, MPROC_FOREVER) != 0) return 1;
  }
  double elapsed = bench_now_s() - t0;
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
  mproc_sem_free(ping);
  mproc_sem_free(pong);
  bench::report(elapsed / rounds * 1e6);
  return 0;
}

// idle_waiter_cpu: CPU milliseconds used by a thread blocked for 1 s on a
// semaphore nobody releases.
int idle_waiter_cpu(int, char**) {
  mproc_sem_t* sem = nullptr;
  if (mproc_sem_new(&sem, 0, nullptr) != 0) return 1;
  double before = bench_cpu_ms();
  if (mproc_sem_acquire(sem, 1000) != MPROC_ETIMEDOUT) return 1;
  double cpu = bench_cpu_ms() - before;
  mproc_sem_free(sem);
  bench::report(cpu);
  return 0;
}

bench::Registration reg_lock_pairs("lock_pairs", lock_pairs);
bench::Registration reg_sem_pairs("sem_pairs", sem_pairs);
bench::Registration reg_handoff("handoff", handoff);
bench::Registration reg_lock_2proc("lock_2proc", lock_2proc);
bench::Registration reg_idle("idle_waiter_cpu", idle_waiter_cpu);

}  // namespace
