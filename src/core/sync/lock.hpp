// Lock and RLock (Python's multiprocessing.Lock and RLock).
#pragma once

#include "core/sync/owned_lock.hpp"
#include "core/sync/shared_object.hpp"

namespace mproc::core {

class Lock : public SharedObject {
 public:
  static std::shared_ptr<Lock> create(const SharedOptions& options);
  static std::shared_ptr<Lock> open(const std::string& name);
  static std::shared_ptr<Lock> decode(WireReader& in, ReceivedFds& fds);
  // The lock living in `region` (a shared block's, say).
  explicit Lock(std::shared_ptr<SharedRegion> region)
      : SharedObject(std::move(region)), s_(state<OwnedLockState>()) {
    this->region()->keep_while_held(&s_.word);
  }

  int acquire(const platform::Deadline& deadline) { return owned_lock_acquire(s_, deadline); }
  int release() { return owned_lock_release(s_); }
  bool locked() const noexcept { return owned_lock_locked(s_); }
  OwnedLockState& raw() noexcept { return s_; }
  int arg_type() const noexcept override;

 private:
  OwnedLockState& s_;
};

class RLock : public SharedObject {
 public:
  static std::shared_ptr<RLock> create(const SharedOptions& options);
  static std::shared_ptr<RLock> open(const std::string& name);
  static std::shared_ptr<RLock> decode(WireReader& in, ReceivedFds& fds);
  explicit RLock(std::shared_ptr<SharedRegion> region)
      : SharedObject(std::move(region)), s_(state<OwnedLockState>()) {
    this->region()->keep_while_held(&s_.word);
  }

  int acquire(const platform::Deadline& deadline) { return rlock_acquire(s_, deadline); }
  int release() { return rlock_release(s_); }
  bool locked() const noexcept { return owned_lock_locked(s_); }
  // How many times the calling thread holds it (0 if it does not).
  uint32_t depth() const noexcept { return owned_lock_held_by_me(s_) ? s_.depth : 0; }
  OwnedLockState& raw() noexcept { return s_; }
  int arg_type() const noexcept override;

 private:
  OwnedLockState& s_;
};

// Size of a region holding one owned lock, and how to lay one out there
// (shared blocks and conditions embed them).
inline constexpr size_t kLockRegionSize = kStateOffset + 128;
void init_lock_region(SharedRegion& region);

}  // namespace mproc::core
