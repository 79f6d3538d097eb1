// Condition (Python's multiprocessing.Condition) over a Lock, an RLock, or
// an RLock of its own.
//
// Waiting and notifying use a token scheme in which a notification can
// only reach a waiter that was waiting when notify was called:
//   waiting  waiters no notify has picked yet
//   tokens   notifications given out and not yet taken by a waiter
// (both in one atomic word, so a waiter can take a token or leave on a
// timeout without the lock), and
//   seq      bumped by every notify; sleepers wait on it
//   taken    bumped when a waiter takes the last token; notify waits on it.
// notify(n), holding the lock, moves up to n waiters from `waiting` to
// `tokens`, wakes as many sleepers, and returns once those tokens are
// taken. A later waiter needs the lock to register, so it can never take
// a token meant for one that was already waiting (the lost wake-up that a
// notify-then-wait in the notifier caused). A notified waiter that does
// not take its token within kNotifyAckMs (it died or is stopped) no longer
// holds notify up; only then may that token go to a later waiter.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/lock.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

enum class ConditionLock : uint32_t { kOwnRLock = 0, kLock = 1, kRLock = 2 };

struct ConditionState {
  std::atomic<uint64_t> counts;  // waiting << 32 | tokens
  std::atomic<uint32_t> seq;
  std::atomic<uint32_t> taken;
  uint32_t lock_mode;   // ConditionLock
  char lock_name[208];  // an external lock's name, when the condition is named
  platform::WaitCell cell;
  platform::WaitCell taken_cell;
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
  // MPROC_ESTATE when the caller does not hold the lock. Returns once the
  // waiters it notified have taken their notifications (see above).
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
  // Takes a token if one is there.
  bool take_token() noexcept;
  // After a timeout: takes a token if one is there (notified after all),
  // else leaves the waiting count. True if notified.
  bool settle_timeout() noexcept;

  ConditionState& s_;
  std::shared_ptr<SharedObject> lock_object_;  // external lock, if any
  std::shared_ptr<SharedRegion> own_lock_region_;
  OwnedLockState& lock_;
  bool recursive_;
};

}  // namespace mproc::core
