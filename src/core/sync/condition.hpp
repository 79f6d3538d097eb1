// Condition (Python's multiprocessing.Condition) over a Lock, an RLock, or
// an RLock of its own.
//
// Waiting and notifying follow the classic token scheme, with every count
// guarded by the condition's lock except the tokens themselves:
//   unnotified  waiters no notify has picked yet
//   tokens      notifications given out and not yet taken by a waiter
//   seq         bumped by every notify; sleepers wait on it
// notify(n) moves up to n waiters from unnotified to tokens and wakes as
// many sleepers; a waiter returns once it takes a token. A waiter whose
// time runs out settles its account under the lock, so no notification is
// lost or given twice.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/lock.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

enum class ConditionLock : uint32_t { kOwnRLock = 0, kLock = 1, kRLock = 2 };

struct ConditionState {
  std::atomic<uint32_t> seq;
  std::atomic<uint32_t> tokens;
  uint32_t unnotified;  // under the lock
  uint32_t lock_mode;   // ConditionLock
  char lock_name[208];  // an external lock's name, when the condition is named
  platform::WaitCell cell;
};

class Condition : public SharedObject {
 public:
  // `lock` and `rlock` may both be null (the condition makes its own RLock);
  // at most one may be given.
  static std::shared_ptr<Condition> create(std::shared_ptr<Lock> lock,
                                           std::shared_ptr<RLock> rlock,
                                           const SharedOptions& options);
  static std::shared_ptr<Condition> open(const std::string& name);
  static std::shared_ptr<Condition> decode(WireReader& in, ReceivedFds& fds);
  Condition(std::shared_ptr<SharedRegion> region, std::shared_ptr<SharedObject> lock_object,
            OwnedLockState& lock, bool recursive);

  int acquire(const platform::Deadline& deadline);
  int release();
  // 0 when notified (the lock is held again), MPROC_ETIMEDOUT (held again
  // too), MPROC_EOWNERDEAD (the lock came back from a dead owner, whether
  // or not notified: that news must not be lost to a timeout),
  // MPROC_ESTATE when the caller does not hold the lock.
  int wait(const platform::Deadline& deadline);
  // MPROC_ESTATE when the caller does not hold the lock.
  int notify(uint32_t n);
  int notify_all();
  int arg_type() const noexcept override;
  void encode(WireWriter& out, std::vector<int>& fds) const override;

 private:
  // The handle over a condition's region, with the lock `mode` says: its
  // own (inside the region), or the external one get_lock() or get_rlock()
  // gives. Shared by create, open and decode.
  template <class GetLock, class GetRLock>
  static std::shared_ptr<Condition> assemble(std::shared_ptr<SharedRegion> region,
                                             ConditionLock mode, GetLock get_lock,
                                             GetRLock get_rlock);
  bool held() const noexcept { return owned_lock_held_by_me(lock_); }

  ConditionState& s_;
  std::shared_ptr<SharedObject> lock_object_;  // external lock, if any
  std::shared_ptr<SharedRegion> own_lock_region_;
  OwnedLockState& lock_;
  bool recursive_;
};

}  // namespace mproc::core
