// Barrier (Python's threading/multiprocessing Barrier): `parties`
// processes (or threads) wait until all have arrived, then all go on.
//
// Rounds are generations. The last arrival ends its generation by
// tripping it (everyone waiting goes on); reset ends it by breaking it
// (everyone waiting gets EBROKEN). Either way the next generation starts
// empty at once, so no waiter has to leave before others may enter, and a
// waiter killed while waiting can never hold the barrier shut. A waiter
// learns how its generation ended from a bit kept for each of the last 64.
// Abort, a timeout or a dead lock holder break the barrier until reset.
// The state lives in shared memory under an owned lock; waiters sleep on
// a sequence number bumped at every change.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/owned_lock.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

struct BarrierState {
  OwnedLockState lock;
  uint32_t parties;
  uint32_t count;       // arrivals in the current generation
  uint32_t broken;      // 1 after abort or a timeout, until reset
  uint64_t generation;
  uint64_t tripped;     // bit g % 64: generation g ended by tripping
  std::atomic<uint32_t> seq;
  platform::WaitCell cell;
};

class Barrier : public SharedObject {
 public:
  static std::shared_ptr<Barrier> create(uint32_t parties, const SharedOptions& options);
  static std::shared_ptr<Barrier> open(const std::string& name);
  static std::shared_ptr<Barrier> decode(WireReader& in, ReceivedFds& fds);
  explicit Barrier(std::shared_ptr<SharedRegion> region);

  // 0 with *index (0..parties-1, distinct, in order of arrival);
  // MPROC_EBROKEN when the barrier is or becomes broken (abort, reset, or
  // another waiter's timeout); MPROC_ETIMEDOUT for the waiter whose own
  // timeout ran out (the barrier is broken from then on, as in Python).
  int wait(const platform::Deadline& deadline, uint32_t* index);
  void abort();
  void reset();
  uint32_t parties() const noexcept { return s_.parties; }
  uint32_t n_waiting();
  bool broken();
  int arg_type() const noexcept override;

 private:
  // Takes the internal lock; a holder that died mid-update leaves state
  // that can not be trusted, so the barrier is broken then.
  void lock();
  void unlock();
  void notify_all_locked();
  // Sleeps until the sequence moves on from `seen` (lock released while
  // asleep, held again on return). False once the deadline has passed.
  bool sleep_locked(uint32_t seen, const platform::Deadline& deadline);
  void break_locked();
  // Ends the current generation, tripped or broken by a reset.
  void end_generation_locked(bool tripped);

  BarrierState& s_;
};

}  // namespace mproc::core
