// Timed-wait soak: every kind of wait that takes a timeout, made to run out
// (nothing it waits for ever happens) while one busy-looping process per
// CPU keeps every core loaded. A wait must never return before its timeout;
// how late it returns is its lateness (target: 99th percentile at most
// 50 ms). Timeouts are random, 1 to 5 ms; the kinds take turns in random
// order, one wait at a time (waits made at once, from threads, measure
// mostly how the waiters crowd each other).
#include <mproc/mproc.hpp>

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "soak.hpp"

// One per CPU: load, until killed.
MPROC_TASK(soak_spin) {
  volatile uint64_t x = 0;
  for (;;) x = x + 1;
}

// Holds a Lock and an RLock, says so, and waits for ever (args: lock,
// rlock, "holding" event, an event never set).
MPROC_TASK(soak_wait_holder) {
  mproc::ArgsView a(args);
  mproc::Lock lock = a.lock(0);
  mproc::RLock rlock = a.rlock(1);
  lock.lock();
  rlock.lock();
  a.event(2).set();
  a.event(3).wait();
  return 0;
}

// A pool task that never ends (its worker is killed when the pool is
// terminated): a future that stays pending.
MPROC_POOL_TASK(soak_pool_forever) {
  (void)out;
  for (;;) pause();
}

namespace soak {
namespace {

constexpr int64_t kMaxTimeoutMs = 5;
constexpr double kTargetP99Ms = 50;

struct Kind {
  std::string name;
  int timeout_code;                  // what the wait returns when it runs out
  std::function<int(int64_t)> wait;  // one timed wait
  std::function<void()> after;       // puts things back after a timeout (may be empty)
  std::vector<double> lateness_ms{};
  int64_t early = 0;
  int64_t wrong_outcome = 0;
  int first_wrong = 0;

  void once(int64_t timeout) {
    const int64_t t0 = now_ns();
    const int rc = wait(timeout);
    const int64_t elapsed_ns = now_ns() - t0;
    if (rc != timeout_code && wrong_outcome++ == 0) first_wrong = rc;
    if (after) after();
    if (elapsed_ns < timeout * 1000000) ++early;
    lateness_ms.push_back(static_cast<double>(elapsed_ns - timeout * 1000000) / 1e6);
  }
};

std::unique_ptr<mproc::Process> start(const std::string& task, mproc::Args& args) {
  auto p = std::make_unique<mproc::Process>(
      task, args, mproc::ProcessOptions().start_method(MPROC_START_FORK));
  p->start();
  return p;
}

}  // namespace

Report timed_waits(const Settings& s) {
  Report r("timed_waits");
  Rng rng(s.seed ^ 0x7a17);
  const int64_t rounds = s.count(1000);

  mproc::Lock lock;
  mproc::RLock rlock;
  mproc::Event holding, never;
  mproc::Args holder_args;
  holder_args << lock << rlock << holding << never;
  auto holder = start("soak_wait_holder", holder_args);
  if (!holding.wait(std::chrono::milliseconds(s.bound_ms))) die("the lock holder");
  mproc::Semaphore sem(uint32_t{0});
  mproc::Event unset;
  mproc::Condition cond;
  cond.lock();  // a wait on a condition is made holding its lock
  mproc::Barrier barrier(2);
  mproc::Queue empty_queue;
  mproc::Queue full_queue(1);
  full_queue.put("x");
  // Nothing is ever sent on it (a lambda cannot capture a structured binding).
  auto pipe = mproc::Pipe();
  mproc::Connection& quiet = pipe.first;
  mproc_pool_t* pool = nullptr;
  mproc_pool_opts_t* opts = nullptr;
  mproc_future_t* pending = nullptr;
  if (mproc_pool_opts_new(&opts) != 0 || mproc_pool_opts_set_processes(opts, 1) != 0 ||
      mproc_pool_opts_set_start_method(opts, MPROC_START_FORK) != 0 ||
      mproc_pool_new(&pool, opts) != 0 ||
      mproc_pool_apply_async(pool, "soak_pool_forever", nullptr, 0, nullptr, &pending) != 0)
    die("a pool");
  mproc_pool_opts_free(opts);

  std::vector<Kind> kinds;
  auto add = [&](const char* name, int code, std::function<int(int64_t)> wait,
                 std::function<void()> after = {}) {
    Kind k;
    k.name = name;
    k.timeout_code = code;
    k.wait = std::move(wait);
    k.after = std::move(after);
    kinds.push_back(std::move(k));
  };
  add("lock", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_lock_acquire(lock.get(), t); });
  add("rlock", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_rlock_acquire(rlock.get(), t); });
  add("semaphore", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_sem_acquire(sem.get(), t); });
  add("event", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_event_wait(unset.get(), t); });
  add("condition", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_cond_wait(cond.get(), t); });
  add("barrier", MPROC_ETIMEDOUT,
      [&](int64_t t) { return mproc_barrier_wait(barrier.get(), t, nullptr); },
      [&] { barrier.reset(); });  // a wait that timed out broke it
  add("queue_get", MPROC_EEMPTY, [&](int64_t t) {
    char buf[8];
    size_t len = 0;
    return mproc_queue_get_into(empty_queue.get_handle(), buf, sizeof buf, &len, t);
  });
  add("queue_put", MPROC_EFULL,
      [&](int64_t t) { return mproc_queue_put(full_queue.get_handle(), "y", 1, t); });
  add("connection_recv", MPROC_ETIMEDOUT, [&](int64_t t) {
    char buf[8];
    size_t len = 0;
    return mproc_conn_recv_into(quiet.get(), buf, sizeof buf, &len, t);
  });
  add("process_join", MPROC_ETIMEDOUT, [&](int64_t t) {
    return holder->join(std::chrono::milliseconds(t)) ? 0 : MPROC_ETIMEDOUT;
  });
  add("pool_future", MPROC_ETIMEDOUT, [&](int64_t t) { return mproc_future_wait(pending, t); });

  // The load: started last, so that setting up is not slowed by it.
  std::vector<std::unique_ptr<mproc::Process>> spinners;
  for (int i = 0; i < mproc::cpu_count(); ++i) {
    mproc::Args none;
    spinners.push_back(start("soak_spin", none));
  }

  const int64_t started = now_ns();
  std::vector<size_t> order(kinds.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int64_t round = 0; round < rounds; ++round) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    for (size_t k : order) kinds[k].once(1 + static_cast<int64_t>(rng.below(kMaxTimeoutMs)));
  }
  const double seconds = (now_ns() - started) / 1e9;

  for (auto& p : spinners) p->kill();
  for (auto& p : spinners) p->join();
  never.set();
  holder->join();
  cond.unlock();
  mproc_pool_terminate(pool);
  mproc_future_free(pending);
  mproc_pool_free(pool);

  std::vector<double> all;
  int64_t early = 0, wrong = 0;
  r.figure("waits_per_kind", static_cast<double>(rounds));
  r.figure("kinds", static_cast<double>(kinds.size()));
  r.figure("busy_processes", static_cast<double>(spinners.size()));
  for (auto& kind : kinds) {
    if (kind.wrong_outcome != 0)
      r.fail(kind.name + " waits returned other than their timeout (" +
             std::to_string(kind.wrong_outcome) + " times, first " +
             mproc_err_name(kind.first_wrong) + ")");
    early += kind.early;
    wrong += kind.wrong_outcome;
    all.insert(all.end(), kind.lateness_ms.begin(), kind.lateness_ms.end());
    r.figure(kind.name + "_lateness_p99_ms", percentile(kind.lateness_ms, 99));
    r.figure(kind.name + "_lateness_max_ms", percentile(kind.lateness_ms, 100));
  }
  r.must_be_zero("early", early);
  r.must_be_zero("wrong_outcome", wrong);
  const double p99 = percentile(all, 99);
  r.figure("lateness_median_ms", percentile(all, 50));
  r.figure("lateness_p99_ms", p99);
  r.figure("lateness_max_ms", percentile(all, 100));
  r.figure("target_p99_ms", kTargetP99Ms);
  // A figure, not a pass/fail: lateness depends on the machine's load.
  r.text("p99_within_target", p99 <= kTargetP99Ms ? "yes" : "no");
  r.figure("seconds", seconds);
  return r;
}

}  // namespace soak
