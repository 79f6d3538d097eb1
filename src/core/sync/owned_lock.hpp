// The owned lock at the heart of Lock, RLock, Condition and Barrier: one
// 32-bit word in shared memory holding the owner's kernel thread id (0 when
// free), a "someone may be sleeping" bit and an "owner died" bit.
//
// Uncontended, acquire and release are one atomic operation each and no
// system call. Contended, a waiter spins briefly (the holder may be about
// to let go), then sleeps on the word.
//
// Owner death is decided by the kernel: a held lock is on its owner
// thread's robust futex list (platform/robust.hpp), and when that thread
// ends, however it ends, the kernel marks the word OWNER_DIED and wakes a
// waiter; the next acquirer takes the lock over and is told so
// (MPROC_EOWNERDEAD). This holds across pid namespaces and thread-id
// reuse. Where the kernel can not watch (robust_supported() is false,
// e.g. Windows) a waiter asks whether the recorded owner still exists,
// judged by its thread id and the stamp of its incarnation the owner
// records beside the word (platform/owner.hpp), and marks the word
// OWNER_DIED itself before anyone takes it over, as the kernel would.
//
// Thread ids of different pid namespaces may be equal; ownership is
// therefore confirmed against the thread's own list before a lock is
// reported as "already held by the caller" or released.
#pragma once

#include <atomic>
#include <cstdint>

#include <mproc/common.h>

#include "core/fault.hpp"
#include "platform/deadline.hpp"
#include "platform/owner.hpp"
#include "platform/robust.hpp"
#include "platform/sysinfo.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct OwnedLockState {
  std::atomic<uint32_t> word;
  uint32_t depth;  // RLock: times the owner holds it (touched by the owner only)
  uint64_t id;     // tells this lock's list entry from others (robust_on_my_list)
  std::atomic<uint64_t> stamp;  // the owner, where no kernel watches (platform/owner.hpp)
  platform::RobustLink link;  // kRobustWordToLink bytes after `word`
  platform::WaitCell cell;
};

// Prepares the state in zeroed shared memory.
void owned_lock_init(OwnedLockState& s);

inline constexpr uint32_t kLockSleepers = platform::kRobustWaiters;
inline constexpr uint32_t kLockOwnerDied = platform::kRobustOwnerDied;
inline constexpr uint32_t kLockOwnerMask = platform::kRobustTidMask;

// Takes the lock if its word still reads `expected` (else false, with the
// word's value in `expected`), storing `desired` (our id, and perhaps the
// sleepers bit): then puts it on our list and records us as its owner.
// Called inside a robust operation, so the kernel sees the lock from the
// moment the word holds our id. `fault`: the steps of this acquire.
inline bool owned_lock_claim(OwnedLockState& s, uint32_t& expected, uint32_t desired,
                             const FaultSteps& fault) noexcept {
  if (!s.word.compare_exchange_strong(expected, desired, std::memory_order_acquire)) return false;
  fault.step(LockAcquireStep::kTaken);
  platform::robust_enqueue(s.link);
  fault.step(LockAcquireStep::kListed);
  platform::owner_note(s.stamp);
  return true;
}
inline bool owned_lock_claim(OwnedLockState& s, uint32_t& expected, uint32_t desired) noexcept {
  return owned_lock_claim(s, expected, desired, FaultSteps(FaultSite::kLockAcquireStep));
}

// Begins the robust operation around taking a lock: from here until
// owned_lock_op_end, a death leaves the kernel to look at this lock too.
inline void owned_lock_op_begin(OwnedLockState& s, const FaultSteps& fault) noexcept {
  platform::robust_op_begin(s.link);
  fault.step(LockAcquireStep::kBegun);
}
inline void owned_lock_op_begin(OwnedLockState& s) noexcept {
  owned_lock_op_begin(s, FaultSteps(FaultSite::kLockAcquireStep));
}
// Ends it and passes on `rc`, the outcome (0 or MPROC_EOWNERDEAD: taken).
inline int owned_lock_op_end(int rc, const FaultSteps& fault) noexcept {
  platform::robust_op_end();
  if (rc == 0 || rc == MPROC_EOWNERDEAD) fault.step(LockAcquireStep::kDone);
  return rc;
}
inline int owned_lock_op_end(int rc) noexcept {
  return owned_lock_op_end(rc, FaultSteps(FaultSite::kLockAcquireStep));
}

// The path taken when the lock is not simply free; called inside the
// robust operation begun by owned_lock_acquire, which it ends.
int owned_lock_acquire_contended(OwnedLockState& s, uint32_t self, uint32_t seen,
                                 const platform::Deadline& deadline);
// Wakes one sleeper after a release that found the sleepers bit.
void owned_lock_wake_one(OwnedLockState& s);

// 0, MPROC_EOWNERDEAD (acquired from a dead owner), MPROC_ETIMEDOUT, or
// MPROC_ESTATE when the calling thread already holds it (a plain lock
// would wait for itself forever).
inline int owned_lock_acquire(OwnedLockState& s, const platform::Deadline& deadline) {
  uint32_t self = static_cast<uint32_t>(platform::current_tid());
  uint32_t seen = 0;
  const FaultSteps fault(FaultSite::kLockAcquireStep);
  owned_lock_op_begin(s, fault);
  if (__builtin_expect(owned_lock_claim(s, seen, self, fault), 1)) return owned_lock_op_end(0, fault);
  return owned_lock_acquire_contended(s, self, seen, deadline);
}

// 0, or MPROC_ESTATE when the calling thread does not hold it.
inline int owned_lock_release(OwnedLockState& s) {
  uint32_t self = static_cast<uint32_t>(platform::current_tid());
  uint32_t seen = s.word.load(std::memory_order_relaxed);
  if ((seen & kLockOwnerMask) != self || (seen & kLockOwnerDied) != 0) return MPROC_ESTATE;
  const FaultSteps fault(FaultSite::kLockReleaseStep);
  platform::robust_op_begin(s.link);
  fault.step(LockReleaseStep::kBegun);
  if (!platform::robust_dequeue(s.link)) {
    platform::robust_op_end();
    return MPROC_ESTATE;  // a namesake thread of another pid namespace holds it
  }
  fault.step(LockReleaseStep::kUnlisted);
  platform::owner_forget(s.stamp);
  fault.step(LockReleaseStep::kForgotten);
  seen = s.word.exchange(0, std::memory_order_release);
  fault.step(LockReleaseStep::kFreed);
  if (__builtin_expect((seen & kLockSleepers) != 0, 0)) owned_lock_wake_one(s);
  platform::robust_op_end();
  fault.step(LockReleaseStep::kDone);
  return 0;
}
bool owned_lock_held_by_me(const OwnedLockState& s) noexcept;
bool owned_lock_locked(const OwnedLockState& s) noexcept;

// The recursive flavour: the owner may acquire again, and must release as
// many times.
int rlock_acquire(OwnedLockState& s, const platform::Deadline& deadline);
int rlock_release(OwnedLockState& s);
// Releases every level at once and returns how many there were (for a
// condition wait); rlock_restore takes the lock again at that depth.
uint32_t rlock_release_all(OwnedLockState& s);
int rlock_restore(OwnedLockState& s, uint32_t depth, const platform::Deadline& deadline);

}  // namespace mproc::core
