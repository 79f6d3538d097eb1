// The owned lock at the heart of Lock, RLock, Condition and Barrier: one
// 32-bit word in shared memory holding the owner's kernel thread id (0 when
// free) and a "someone may be sleeping" bit.
//
// Uncontended, acquire and release are one compare-and-swap each and no
// system call. Contended, a waiter spins briefly (the holder may be about
// to let go), then sleeps on the word. A holder that dies is noticed by its
// waiters: they sleep in slices and check whether the owner thread still
// exists; the next acquirer then takes the lock over and is told so
// (MPROC_EOWNERDEAD). Owner ids are kernel thread ids, so ownership is per
// thread (and per process), and checks work across processes of one pid
// namespace.
#pragma once

#include <atomic>
#include <cstdint>

#include <mproc/common.h>

#include "platform/deadline.hpp"
#include "platform/sysinfo.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct OwnedLockState {
  std::atomic<uint32_t> word;
  uint32_t depth;  // RLock: times the owner holds it (touched by the owner only)
  platform::WaitCell cell;
};

// Prepares the state in zeroed shared memory.
void owned_lock_init(OwnedLockState& s);

inline constexpr uint32_t kLockSleepers = 0x80000000u;
inline constexpr uint32_t kLockOwnerMask = 0x3fffffffu;

// The paths taken when the lock is not simply free (acquire) or has
// sleepers or another owner (release).
int owned_lock_acquire_contended(OwnedLockState& s, uint32_t self, uint32_t seen,
                                 const platform::Deadline& deadline);
int owned_lock_release_contended(OwnedLockState& s, uint32_t self, uint32_t seen);

// 0, MPROC_EOWNERDEAD (acquired from a dead owner), MPROC_ETIMEDOUT, or
// MPROC_ESTATE when the calling thread already holds it (a plain lock
// would wait for itself forever).
inline int owned_lock_acquire(OwnedLockState& s, const platform::Deadline& deadline) {
  uint32_t self = static_cast<uint32_t>(platform::current_tid());
  uint32_t seen = 0;
  if (__builtin_expect(
          s.word.compare_exchange_strong(seen, self, std::memory_order_acquire), 1))
    return 0;
  return owned_lock_acquire_contended(s, self, seen, deadline);
}

// 0, or MPROC_ESTATE when the calling thread does not hold it.
inline int owned_lock_release(OwnedLockState& s) {
  uint32_t self = static_cast<uint32_t>(platform::current_tid());
  uint32_t seen = self;
  if (__builtin_expect(s.word.compare_exchange_strong(seen, 0, std::memory_order_release), 1))
    return 0;
  return owned_lock_release_contended(s, self, seen);
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
