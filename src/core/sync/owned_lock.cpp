#include "core/sync/owned_lock.hpp"

#include <mproc/common.h>

#include <algorithm>
#include <cstddef>

#include "platform/lifeline.hpp"
#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

static_assert(offsetof(OwnedLockState, link) - offsetof(OwnedLockState, word) ==
                  platform::kRobustWordToLink,
              "the kernel finds the lock word at a fixed distance from its list entry");
static_assert(offsetof(OwnedLockState, link) - offsetof(OwnedLockState, id) ==
                  platform::kRobustIdToLink,
              "a lock's identity stands at a fixed distance from its list entry");

constexpr uint32_t kSleepers = kLockSleepers;
constexpr uint32_t kOwnerDied = kLockOwnerDied;
constexpr uint32_t kOwnerMask = kLockOwnerMask;
// How long a contender spins before sleeping.
constexpr int64_t kSpinNs = 20000;
// A sleeping contender wakes this often (doubling up to the maximum) to
// look at the word again. The kernel wakes a sleeper when an owner dies;
// the slices only matter to the portable wait backend (which the kernel
// can not wake) and to the fallback liveness check.
constexpr int64_t kFirstSliceNs = 20 * 1000000;
constexpr int64_t kMaxSliceNs = 500 * 1000000;

uint32_t me() noexcept { return static_cast<uint32_t>(platform::current_tid()); }

// Whether word value `v` names the calling thread (`self`) as a living
// owner. The same id may belong to a thread of another pid namespace: only
// an entry on our own list proves the lock is ours.
bool owned_by(const OwnedLockState& s, uint32_t v, uint32_t self) noexcept {
  return (v & (kOwnerMask | kOwnerDied)) == self && platform::robust_on_my_list(s.link);
}

// Whether the owner recorded in `v` (with `stamp`, read after `v`) has
// ended while the kernel does not watch. The kernel's own verdict is the
// died bit, set in the word.
bool owner_ended_unwatched(uint32_t v, uint64_t stamp) noexcept {
  return !platform::robust_supported() &&
         platform::owner_gone(static_cast<int32_t>(v & kOwnerMask), stamp);
}

// Takes the lock from `v` (free, or left by a dead owner), keeping the
// sleepers bit; the caller is inside a robust operation.
bool take(OwnedLockState& s, uint32_t& v, uint32_t self) noexcept {
  return owned_lock_claim(s, v, self | (v & kSleepers));
}

int acquire_slow(OwnedLockState& s, uint32_t self, const Deadline& deadline) {
  uint32_t v = 0;
  if (!deadline.immediate() && platform::spin_until(
                                   [&] {
                                     v = s.word.load(std::memory_order_relaxed);
                                     return v == 0;
                                   },
                                   kSpinNs) &&
      owned_lock_claim(s, v, self))
    return 0;
  int64_t slice = kFirstSliceNs;
  for (;;) {
    v = s.word.load(std::memory_order_acquire);
    if (v == 0 || v == kSleepers) {
      // Others may be asleep: keep the bit so that our release wakes one.
      if (take(s, v, self | kSleepers)) return 0;
      continue;
    }
    if (v & kOwnerDied) {
      if (take(s, v, self)) {
        s.depth = 1;
        return MPROC_EOWNERDEAD;
      }
      continue;
    }
    if (owner_ended_unwatched(v, s.stamp.load(std::memory_order_acquire))) {
      // Marked first, as the kernel would: of several waiters that saw the
      // same dead owner only one can mark it, and a new owner that reuses
      // the dead one's id never carries the bit, so no taker can mistake
      // it for the dead one.
      s.word.compare_exchange_weak(v, v | kOwnerDied, std::memory_order_relaxed);
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
  s.id = platform::robust_new_id();
  s.stamp.store(0, std::memory_order_relaxed);
  s.link = {nullptr, nullptr};
  platform::wait_cell_init(s.cell);
}

int owned_lock_acquire_contended(OwnedLockState& s, uint32_t self, uint32_t seen,
                                 const Deadline& deadline) {
  return owned_lock_op_end(owned_by(s, seen, self) ? MPROC_ESTATE
                                                   : acquire_slow(s, self, deadline));
}

void owned_lock_wake_one(OwnedLockState& s) { platform::wake(s.cell, s.word, 1); }

bool owned_lock_held_by_me(const OwnedLockState& s) noexcept {
  return owned_by(s, s.word.load(std::memory_order_relaxed), me());
}

bool owned_lock_locked(const OwnedLockState& s) noexcept {
  // A lock whose owner died is still locked until someone takes it over.
  return (s.word.load(std::memory_order_relaxed) & ~kSleepers) != 0;
}

int rlock_acquire(OwnedLockState& s, const Deadline& deadline) {
  uint32_t self = me();
  if (owned_by(s, s.word.load(std::memory_order_relaxed), self)) {
    if (s.depth == UINT32_MAX) return MPROC_EOVERFLOW;
    ++s.depth;
    return 0;
  }
  owned_lock_op_begin(s);
  uint32_t expected = 0;
  int rc = owned_lock_op_end(owned_lock_claim(s, expected, self) ? 0
                                                                 : acquire_slow(s, self, deadline));
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
