// Lock soak: a child takes a lock (a Lock, an RLock at depth 1 to 3, or a
// Condition's lock, in turn), says so, and works in its critical section
// for ever; a thread of the parent waits to acquire the same lock; after a
// random pause the parent SIGKILLs the holder. Every acquire must come back
// with EOWNERDEAD -- the lock taken over from the dead owner -- and the
// recovery time is from the SIGKILL to that acquire returning. The waiter
// then releases it, and the next holder must take it plainly (0): a
// recovered lock works as before.
#include <mproc/mproc.hpp>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "soak.hpp"

namespace {

enum Kind : int64_t { kLock = 0, kRLock = 1, kCondition = 2, kKinds = 3 };
const char* const kKindNames[kKinds] = {"lock", "rlock", "condition"};

struct Guarded {
  std::atomic<uint64_t> a;
  std::atomic<uint64_t> b;
  std::atomic<int32_t> holder_rc;  // what the last holder's acquire returned
};

// The three kinds behind one acquire/release, through the C handles.
struct AnyLock {
  Kind kind;
  mproc_lock_t* lock;
  mproc_rlock_t* rlock;
  mproc_cond_t* cond;

  int acquire(int64_t timeout_ms) const {
    switch (kind) {
      case kLock: return mproc_lock_acquire(lock, timeout_ms);
      case kRLock: return mproc_rlock_acquire(rlock, timeout_ms);
      default: return mproc_cond_acquire(cond, timeout_ms);
    }
  }
  int release() const {
    switch (kind) {
      case kLock: return mproc_lock_release(lock);
      case kRLock: return mproc_rlock_release(rlock);
      default: return mproc_cond_release(cond);
    }
  }
};

}  // namespace

// args: kind, lock, rlock, condition, "holding" event, guarded block, depth.
MPROC_TASK(soak_lock_holder) {
  mproc::ArgsView a(args);
  auto kind = static_cast<Kind>(a.i64(0));
  mproc::Lock lock = a.lock(1);
  mproc::RLock rlock = a.rlock(2);
  mproc::Condition cond = a.cond(3);
  mproc::Event holding = a.event(4);
  mproc::SharedBlock block = a.shm(5);
  auto& g = block.as<Guarded>();
  AnyLock any{kind, lock.get(), rlock.get(), cond.get()};
  int rc = 0;
  for (int64_t d = 0; d < a.i64(6) && rc == 0; ++d) rc = any.acquire(MPROC_FOREVER);
  g.holder_rc.store(rc);
  holding.set();
  for (;;) {  // the critical section, until the SIGKILL
    g.a.fetch_add(1, std::memory_order_relaxed);
    g.b.fetch_add(1, std::memory_order_relaxed);
  }
}

namespace soak {

Report lock_kills(const Settings& s) {
  Report r("lock_kills");
  Rng rng(s.seed ^ 0x10c);
  mproc::Lock lock;
  mproc::RLock rlock;
  mproc::Condition cond;
  mproc::Event holding;
  mproc::SharedBlock block(sizeof(Guarded));
  auto& g = block.as<Guarded>();
  const int64_t kills = s.count(1000);
  int64_t recovered = 0, not_reported = 0, not_recovered = 0, holder_not_plain = 0;
  int64_t by_kind[kKinds] = {};
  std::vector<double> recovery;
  const int64_t started = now_ns();
  for (int64_t i = 0; i < kills; ++i) {
    auto kind = static_cast<Kind>(i % kKinds);
    AnyLock any{kind, lock.get(), rlock.get(), cond.get()};
    int64_t depth = kind == kRLock ? 1 + static_cast<int64_t>(rng.below(3)) : 1;
    mproc::Process holder("soak_lock_holder",
                          mproc::Args() << static_cast<int64_t>(kind) << lock << rlock << cond
                                        << holding << block << depth,
                          mproc::ProcessOptions().start_method(MPROC_START_FORK));
    holder.start();
    if (!holding.wait(std::chrono::milliseconds(s.bound_ms))) {
      r.fail(std::string("a holder did not take the ") + kKindNames[kind] + " within the bound");
      holder.kill();
      holder.join();
      break;
    }
    holding.clear();
    if (g.holder_rc.load() != 0) ++holder_not_plain;

    // The waiter: started after the fork, so no child inherits it.
    int rc = 1;
    int64_t acquired_at = 0;
    std::thread waiter([&] {
      rc = any.acquire(s.bound_ms);
      acquired_at = now_ns();
      if (rc == 0 || rc == MPROC_EOWNERDEAD) any.release();
    });
    rng.pause_up_to_us(1000);
    const int64_t kill_at = now_ns();
    holder.kill();
    waiter.join();
    holder.join();
    if (holder.exitcode() != -SIGKILL) r.fail("a holder did not end by SIGKILL");
    if (rc == MPROC_EOWNERDEAD && acquired_at >= kill_at) {
      ++recovered;
      ++by_kind[kind];
      recovery.push_back(ms_between(kill_at, acquired_at));
    } else if (rc == 0 || rc == MPROC_EOWNERDEAD) {
      ++not_reported;
      r.fail(std::string("the ") + kKindNames[kind] + " was acquired without EOWNERDEAD " +
             (acquired_at < kill_at ? "while its holder lived" : "after its holder died"));
    } else {
      ++not_recovered;
      r.fail(std::string("the ") + kKindNames[kind] + " was not recovered: " +
             mproc_err_name(rc));
    }
  }
  r.must_equal("holders_killed", recovered + not_reported + not_recovered, kills);
  r.must_equal("recovered_with_eownerdead", recovered, kills);
  for (int k = 0; k < kKinds; ++k)
    r.figure(std::string("recovered_") + kKindNames[k], static_cast<double>(by_kind[k]));
  r.must_be_zero("acquired_without_eownerdead", not_reported);
  r.must_be_zero("not_recovered_within_bound", not_recovered);
  r.must_be_zero("next_holder_not_plain", holder_not_plain);
  r.figure("recovery_max_ms", percentile(recovery, 100));
  r.figure("recovery_p99_ms", percentile(recovery, 99));
  r.figure("recovery_median_ms", percentile(recovery, 50));
  r.figure("seconds", (now_ns() - started) / 1e9);
  return r;
}

}  // namespace soak
