// The owned lock from inside: its owner killed at each step of taking and
// giving it up (core/fault.hpp: LockAcquireStep, LockReleaseStep), in a
// child that is this program started again; an RLock's depth, also across
// its owner's death; EOWNERDEAD leaving the lock held and usable; timed
// acquires that never return early. (test_owned_lock.cpp covers dead
// owner threads, several waiters and the kernel's list.)
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "child.hpp"
#include "core/fault.hpp"
#include "core/sync/lock.hpp"
#include "platform/deadline.hpp"
#include "platform/process.hpp"
#include "step_kill.hpp"

using mproc::core::kFaultDeathExit;
using mproc::core::Lock;
using mproc::core::LockAcquireStep;
using mproc::core::LockReleaseStep;
using mproc::core::RLock;
using mproc::platform::Deadline;
using mproc::testing::NamedForTest;
using mproc::testing::open_and_arm;
using mproc::testing::run_child;
using mproc::testing::run_step_child;
using mproc::testing::StepPlan;

namespace {

constexpr uint32_t kLastAcquireStep = static_cast<uint32_t>(LockAcquireStep::kDone);
constexpr uint32_t kLastReleaseStep = static_cast<uint32_t>(LockReleaseStep::kDone);

TEST_CHILD(lock_acquire_dies_at_step) {
  auto lock = open_and_arm<Lock>(arg);
  int rc = lock->acquire(Deadline::after_ms(10000));
  return rc == 0 || rc == MPROC_EOWNERDEAD ? 0 : 1;
}

TEST_CHILD(lock_release_dies_at_step) {
  StepPlan plan = StepPlan::parse(arg);
  auto lock = Lock::open(plan.name);
  if (lock->acquire(Deadline::after_ms(10000)) != 0) return 2;
  mproc::core::fault_plan_set(plan.plan.c_str());
  return lock->release() == 0 ? 0 : 1;
}

// Takes an RLock three deep and ends at once, holding it.
TEST_CHILD(rlock_ends_three_deep) {
  auto lock = RLock::open(arg);
  for (int i = 0; i < 3; ++i)
    if (lock->acquire(Deadline::after_ms(10000)) != 0) return 2;
  if (lock->depth() != 3) return 3;
  mproc::platform::exit_immediately(kFaultDeathExit);
}

struct NamedLock {
  NamedForTest named;
  std::shared_ptr<Lock> lock = Lock::create(named.options());
  NamedLock() { named.adopt(lock->name()); }
};

void expect_child_died(const char* piece, const std::string& name, const char* site,
                       uint32_t step) {
  auto outcome = run_step_child(piece, name, site, step);
  ASSERT_FALSE(outcome.timed_out) << "step " << step << ": the child hung";
  ASSERT_TRUE(outcome.exited) << "step " << step << ": signal " << outcome.status;
  ASSERT_EQ(outcome.status, kFaultDeathExit) << "step " << step << " was never reached";
}

// The next acquire gets `expected` (0, or MPROC_EOWNERDEAD when the dead
// child left the lock held), at once rather than after a wait for a live
// owner, and the lock then behaves as any held lock.
void expect_acquire_after_death(Lock& lock, int expected, uint32_t step) {
  SCOPED_TRACE("step " + std::to_string(step));
  ASSERT_EQ(lock.acquire(Deadline::after_ms(10000)), expected);
  EXPECT_TRUE(lock.locked());
  EXPECT_EQ(lock.acquire(Deadline::after_ms(0)), MPROC_ESTATE);  // ours now
  EXPECT_EQ(lock.release(), 0);
  EXPECT_FALSE(lock.locked());
  int from_other_thread = -1;
  std::thread([&] {
    from_other_thread = lock.acquire(Deadline::after_ms(0));
    if (from_other_thread == 0) lock.release();
  }).join();
  EXPECT_EQ(from_other_thread, 0);
}

TEST(OwnedLockSteps, AnOwnerKilledAtEachStepOfAcquiringIsRecovered) {
  SKIP_WITHOUT_FAULT_INJECTION();
  for (uint32_t step = 1; step <= kLastAcquireStep; ++step) {
    NamedLock l;
    expect_child_died("lock_acquire_dies_at_step", l.lock->name(), "lock-acquire-step", step);
    // Dead before its compare-and-swap, it never held the lock; dead after
    // it, even before the lock was on its list, it held it (the pending
    // operation tells the kernel).
    bool held = step >= static_cast<uint32_t>(LockAcquireStep::kTaken);
    expect_acquire_after_death(*l.lock, held ? MPROC_EOWNERDEAD : 0, step);
    if (HasFatalFailure()) return;
  }
}

// The same steps on the slow path: the child takes over from an owner
// that died first.
TEST(OwnedLockSteps, AnOwnerKilledAtEachStepOfATakeoverIsRecovered) {
  SKIP_WITHOUT_FAULT_INJECTION();
  for (uint32_t step = 1; step <= kLastAcquireStep; ++step) {
    NamedLock l;
    expect_child_died("lock_acquire_dies_at_step", l.lock->name(), "lock-acquire-step",
                      kLastAcquireStep);  // holding it
    expect_child_died("lock_acquire_dies_at_step", l.lock->name(), "lock-acquire-step", step);
    expect_acquire_after_death(*l.lock, MPROC_EOWNERDEAD, step);
    if (HasFatalFailure()) return;
  }
}

TEST(OwnedLockSteps, AnOwnerKilledAtEachStepOfReleasingIsRecovered) {
  SKIP_WITHOUT_FAULT_INJECTION();
  for (uint32_t step = 1; step <= kLastReleaseStep; ++step) {
    NamedLock l;
    expect_child_died("lock_release_dies_at_step", l.lock->name(), "lock-release-step", step);
    // Until the word is cleared the lock is still the dead child's, off
    // its list or not.
    bool held = step < static_cast<uint32_t>(LockReleaseStep::kFreed);
    expect_acquire_after_death(*l.lock, held ? MPROC_EOWNERDEAD : 0, step);
    if (HasFatalFailure()) return;
  }
}

TEST(OwnedLockSteps, AnRLockCountsItsDepthAndFreesAtTheLastRelease) {
  auto lock = RLock::create({});
  for (uint32_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(lock->acquire(Deadline::after_ms(0)), 0);
    EXPECT_EQ(lock->depth(), i);
  }
  int from_other_thread = -1;
  std::thread([&] { from_other_thread = lock->acquire(Deadline::after_ms(0)); }).join();
  EXPECT_EQ(from_other_thread, MPROC_ETIMEDOUT);
  // A condition's wait gives up every level and takes them all back.
  EXPECT_EQ(mproc::core::rlock_release_all(lock->raw()), 3u);
  EXPECT_FALSE(lock->locked());
  ASSERT_EQ(mproc::core::rlock_restore(lock->raw(), 3, Deadline::after_ms(0)), 0);
  EXPECT_EQ(lock->depth(), 3u);
  for (uint32_t i = 3; i >= 1; --i) {
    EXPECT_TRUE(lock->locked());
    ASSERT_EQ(lock->release(), 0);
    EXPECT_EQ(lock->depth(), i - 1);
  }
  EXPECT_FALSE(lock->locked());
  EXPECT_EQ(lock->release(), MPROC_ESTATE);
}

TEST(OwnedLockSteps, AnRLocksDeadOwnersDepthIsNotInherited) {
  NamedForTest named;
  auto lock = RLock::create(named.options());
  named.adopt(lock->name());
  auto outcome = run_child("rlock_ends_three_deep", lock->name(), 30000);
  ASSERT_TRUE(outcome.exited);
  ASSERT_EQ(outcome.status, kFaultDeathExit);
  ASSERT_EQ(lock->acquire(Deadline::after_ms(10000)), MPROC_EOWNERDEAD);
  EXPECT_EQ(lock->depth(), 1u);  // ours, taken once: not the dead owner's three
  ASSERT_EQ(lock->release(), 0);
  EXPECT_FALSE(lock->locked());
  EXPECT_EQ(lock->acquire(Deadline::after_ms(0)), 0);
  EXPECT_EQ(lock->release(), 0);
}

// A timed acquire of a lock a live thread holds waits its whole timeout
// (never returns early) and fails; one that the holder lets go of in time
// succeeds.
TEST(OwnedLockSteps, TimedAcquiresOfALiveOwnersLockWaitTheirTimeOut) {
  auto lock = Lock::create({});
  std::promise<void> held, let_go;
  std::thread holder([&] {
    ASSERT_EQ(lock->acquire(Deadline::never()), 0);
    held.set_value();
    let_go.get_future().wait();
    lock->release();
  });
  held.get_future().wait();
  for (int64_t ms : {0, 1, 50, 200}) {
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(lock->acquire(Deadline::after_ms(ms)), MPROC_ETIMEDOUT) << ms << " ms";
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(ms))
        << "a " << ms << " ms acquire returned early";
  }
  std::thread waiter([&] {
    EXPECT_EQ(lock->acquire(Deadline::after_ms(60000)), 0);
    EXPECT_EQ(lock->release(), 0);
  });
  let_go.set_value();
  waiter.join();
  holder.join();
  EXPECT_FALSE(lock->locked());
}

}  // namespace
