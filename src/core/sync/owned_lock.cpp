#include "core/sync/owned_lock.hpp"

#include <mproc/common.h>

#include <algorithm>

#include "platform/lifeline.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr uint32_t kSleepers = kLockSleepers;
constexpr uint32_t kOwnerMask = kLockOwnerMask;
// How long a contender spins before sleeping.
constexpr int64_t kSpinNs = 20000;
// A sleeping contender wakes this often (doubling up to the maximum) to
// check that the owner still exists.
constexpr int64_t kFirstSliceNs = 20 * 1000000;
constexpr int64_t kMaxSliceNs = 500 * 1000000;

uint32_t me() noexcept { return static_cast<uint32_t>(platform::current_tid()); }

int acquire_slow(OwnedLockState& s, uint32_t self, const Deadline& deadline) {
  uint32_t v = 0;
  if (!deadline.immediate() && platform::spin_until(
                                   [&] {
                                     v = s.word.load(std::memory_order_relaxed);
                                     return v == 0;
                                   },
                                   kSpinNs) &&
      s.word.compare_exchange_strong(v, self, std::memory_order_acquire))
    return 0;
  int64_t slice = kFirstSliceNs;
  for (;;) {
    v = s.word.load(std::memory_order_acquire);
    if (v == 0) {
      // Others may be asleep: keep the bit so that our release wakes one.
      if (s.word.compare_exchange_weak(v, self | kSleepers, std::memory_order_acquire))
        return 0;
      continue;
    }
    uint32_t owner = v & kOwnerMask;
    if (platform::thread_is_gone(static_cast<int32_t>(owner))) {
      if (s.word.compare_exchange_strong(v, self | kSleepers, std::memory_order_acquire)) {
        s.depth = 1;
        return MPROC_EOWNERDEAD;
      }
      continue;
    }
    if (deadline.immediate()) return MPROC_ETIMEDOUT;
    if (!(v & kSleepers)) {
      if (!s.word.compare_exchange_weak(v, v | kSleepers, std::memory_order_relaxed)) continue;
      v |= kSleepers;
    }
    bool in_time = platform::wait_on(s.cell, s.word, v, deadline.capped_ns(slice));
    if (!in_time && deadline.expired()) return MPROC_ETIMEDOUT;
    slice = std::min(slice * 2, kMaxSliceNs);
  }
}

}  // namespace

void owned_lock_init(OwnedLockState& s) {
  s.word.store(0, std::memory_order_relaxed);
  s.depth = 0;
  platform::wait_cell_init(s.cell);
}

int owned_lock_acquire_contended(OwnedLockState& s, uint32_t self, uint32_t seen,
                                 const Deadline& deadline) {
  if ((seen & kOwnerMask) == self) return MPROC_ESTATE;
  return acquire_slow(s, self, deadline);
}

int owned_lock_release_contended(OwnedLockState& s, uint32_t self, uint32_t seen) {
  if ((seen & kOwnerMask) != self) return MPROC_ESTATE;
  // Our own word, with the sleepers bit: hand over to one of them.
  s.word.store(0, std::memory_order_release);
  platform::wake(s.cell, s.word, 1);
  return 0;
}

bool owned_lock_held_by_me(const OwnedLockState& s) noexcept {
  return (s.word.load(std::memory_order_relaxed) & kOwnerMask) == me();
}

bool owned_lock_locked(const OwnedLockState& s) noexcept {
  return s.word.load(std::memory_order_relaxed) != 0;
}

int rlock_acquire(OwnedLockState& s, const Deadline& deadline) {
  uint32_t self = me();
  uint32_t expected = 0;
  if (s.word.compare_exchange_strong(expected, self, std::memory_order_acquire)) {
    s.depth = 1;
    return 0;
  }
  if ((expected & kOwnerMask) == self) {
    if (s.depth == UINT32_MAX) return MPROC_EOVERFLOW;
    ++s.depth;
    return 0;
  }
  int rc = acquire_slow(s, self, deadline);
  if (rc == 0 || rc == MPROC_EOWNERDEAD) s.depth = 1;
  return rc;
}

int rlock_release(OwnedLockState& s) {
  if (!owned_lock_held_by_me(s)) return MPROC_ESTATE;
  if (s.depth > 1) {
    --s.depth;
    return 0;
  }
  s.depth = 0;
  return owned_lock_release(s);
}

uint32_t rlock_release_all(OwnedLockState& s) {
  uint32_t depth = s.depth;
  s.depth = 0;
  owned_lock_release(s);
  return depth;
}

int rlock_restore(OwnedLockState& s, uint32_t depth, const Deadline& deadline) {
  int rc = rlock_acquire(s, deadline);
  if (rc == 0 || rc == MPROC_EOWNERDEAD) s.depth = depth;
  return rc;
}

}  // namespace mproc::core
