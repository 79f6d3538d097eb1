#include "core/sync/condition.hpp"

#include <mproc/args.h>

#include <cstring>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// Where a condition keeps its own RLock inside its mapping.
constexpr size_t kOwnLockOffset = 1024;

constexpr uint64_t kOneWaiting = uint64_t{1} << 32;
uint32_t waiting_of(uint64_t counts) { return static_cast<uint32_t>(counts >> 32); }
uint32_t tokens_of(uint64_t counts) { return static_cast<uint32_t>(counts); }

// How long notify waits for the waiters it notified to take their
// notifications before it gives up on one that died or is stopped.
constexpr int64_t kNotifyAckMs = 2000;

OwnedLockState& own_lock_state(const std::shared_ptr<SharedRegion>& r) {
  return r->state<OwnedLockState>();
}

}  // namespace

Condition::Condition(std::shared_ptr<SharedRegion> region,
                     std::shared_ptr<SharedObject> lock_object, OwnedLockState& lock,
                     bool recursive)
    : SharedObject(std::move(region)),
      s_(state<ConditionState>()),
      lock_object_(std::move(lock_object)),
      lock_(lock),
      recursive_(recursive) {}

std::shared_ptr<Condition> Condition::create(std::shared_ptr<Lock> lock,
                                             std::shared_ptr<RLock> rlock,
                                             const SharedOptions& options) {
  if (lock && rlock) fail(MPROC_EINVAL, "condition: give a lock or an rlock, not both");
  const SharedObject* external = lock ? static_cast<SharedObject*>(lock.get()) : rlock.get();
  if (options.named && external != nullptr && external->name().empty())
    fail(MPROC_EINVAL,
         "condition: a named condition needs a named lock (or none, to use its own)");
  auto region = SharedRegion::create(ObjectKind::kCondition,
                                     platform::page_size(), options);
  auto& s = region->state<ConditionState>();
  static_assert(kStateOffset + sizeof(ConditionState) <= kOwnLockOffset);
  s.counts.store(0, std::memory_order_relaxed);
  s.seq.store(0, std::memory_order_relaxed);
  s.taken.store(0, std::memory_order_relaxed);
  platform::wait_cell_init(s.cell);
  platform::wait_cell_init(s.taken_cell);
  ConditionLock mode = lock ? ConditionLock::kLock
                       : rlock ? ConditionLock::kRLock
                               : ConditionLock::kOwnRLock;
  s.lock_mode = static_cast<uint32_t>(mode);
  if (external != nullptr)
    std::strncpy(s.lock_name, external->name().c_str(), sizeof s.lock_name - 1);
  if (mode == ConditionLock::kOwnRLock) {
    auto own = region->create_sub(kOwnLockOffset, kLockRegionSize, ObjectKind::kRLock);
    init_lock_region(*own);
    own->publish();
  }
  region->publish();
  return assemble(
      region, mode, [&] { return lock; }, [&] { return rlock; });
}

template <class GetLock, class GetRLock>
std::shared_ptr<Condition> Condition::assemble(std::shared_ptr<SharedRegion> region,
                                               ConditionLock mode, GetLock get_lock,
                                               GetRLock get_rlock) {
  switch (mode) {
    case ConditionLock::kOwnRLock: {
      auto own = region->sub(kOwnLockOffset, ObjectKind::kRLock);
      auto cond = std::make_shared<Condition>(region, nullptr, own_lock_state(own), true);
      cond->own_lock_region_ = own;
      return cond;
    }
    case ConditionLock::kLock: {
      std::shared_ptr<Lock> lock = get_lock();
      return std::make_shared<Condition>(region, lock, lock->raw(), false);
    }
    case ConditionLock::kRLock: {
      std::shared_ptr<RLock> rlock = get_rlock();
      return std::make_shared<Condition>(region, rlock, rlock->raw(), true);
    }
  }
  fail(MPROC_ECORRUPT, "condition: unknown kind of lock");
}

std::shared_ptr<Condition> Condition::open(const std::string& name) {
  auto region = SharedRegion::open(name, ObjectKind::kCondition);
  auto& s = region->state<ConditionState>();
  std::string lock_name(s.lock_name, strnlen(s.lock_name, sizeof s.lock_name));
  return assemble(
      region, static_cast<ConditionLock>(s.lock_mode), [&] { return Lock::open(lock_name); },
      [&] { return RLock::open(lock_name); });
}

void Condition::encode(WireWriter& out, std::vector<int>& fds) const {
  SharedObject::encode(out, fds);
  auto mode = static_cast<ConditionLock>(s_.lock_mode);
  out.u8(static_cast<uint8_t>(mode));
  if (mode != ConditionLock::kOwnRLock) lock_object_->encode(out, fds);
}

std::shared_ptr<Condition> Condition::decode(WireReader& in, ReceivedFds& fds) {
  auto region = SharedRegion::decode(in, fds, ObjectKind::kCondition);
  auto mode = static_cast<ConditionLock>(in.u8());
  if (static_cast<uint32_t>(mode) != region->state<ConditionState>().lock_mode)
    fail(MPROC_ECORRUPT, "condition: the record and the shared state disagree on its lock");
  return assemble(
      region, mode, [&] { return Lock::decode(in, fds); }, [&] { return RLock::decode(in, fds); });
}

int Condition::arg_type() const noexcept { return MPROC_ARG_COND; }

int Condition::acquire(const Deadline& deadline) {
  return recursive_ ? rlock_acquire(lock_, deadline) : owned_lock_acquire(lock_, deadline);
}

int Condition::release() {
  return recursive_ ? rlock_release(lock_) : owned_lock_release(lock_);
}

bool Condition::take_token() noexcept {
  uint64_t c = s_.counts.load(std::memory_order_acquire);
  while (tokens_of(c) > 0)
    if (s_.counts.compare_exchange_weak(c, c - 1, std::memory_order_acq_rel)) {
      // notify waits for its tokens to be taken: the last one wakes it.
      if (tokens_of(c) == 1) {
        s_.taken.fetch_add(1, std::memory_order_release);
        platform::wake(s_.taken_cell, s_.taken, platform::kWakeAll);
      }
      return true;
    }
  return false;
}

bool Condition::settle_timeout() noexcept {
  uint64_t c = s_.counts.load(std::memory_order_acquire);
  for (;;) {
    // A token given out while we were timing out was given to us (or to
    // another waiter who will leave in our place): take it.
    if (tokens_of(c) > 0) return take_token() || settle_timeout();
    if (waiting_of(c) == 0) return false;  // only a corrupt count gets here
    if (s_.counts.compare_exchange_weak(c, c - kOneWaiting, std::memory_order_acq_rel))
      return false;
  }
}

int Condition::wait(const Deadline& deadline) {
  if (!held()) return MPROC_ESTATE;
  // Registered under the lock: no notify can be between us and the wait.
  s_.counts.fetch_add(kOneWaiting, std::memory_order_acq_rel);
  uint32_t seen = s_.seq.load(std::memory_order_acquire);
  uint32_t depth = recursive_ ? rlock_release_all(lock_) : (owned_lock_release(lock_), 1u);

  bool notified = false;
  for (;;) {
    if (take_token()) {
      notified = true;
      break;
    }
    if (!platform::wait_on(s_.cell, s_.seq, seen, deadline) && deadline.expired()) {
      notified = settle_timeout();
      break;
    }
    seen = s_.seq.load(std::memory_order_acquire);
  }

  Deadline forever = Deadline::never();
  int relock = recursive_ ? rlock_restore(lock_, depth, forever)
                          : owned_lock_acquire(lock_, forever);
  if (relock == MPROC_EOWNERDEAD) return MPROC_EOWNERDEAD;
  return notified ? 0 : MPROC_ETIMEDOUT;
}

int Condition::notify(uint32_t n) {
  if (!held()) return MPROC_ESTATE;
  uint64_t c = s_.counts.load(std::memory_order_acquire);
  uint32_t k;
  do {
    uint32_t waiting = waiting_of(c);
    k = n < waiting ? n : waiting;
    if (k == 0) return 0;
  } while (!s_.counts.compare_exchange_weak(c, c - k * kOneWaiting + k,
                                            std::memory_order_acq_rel));
  s_.seq.fetch_add(1, std::memory_order_release);
  platform::wake(s_.cell, s_.seq, static_cast<int>(k > 0x7ffffffe ? 0x7ffffffe : k));

  // Hold the lock until the notified waiters have their tokens, so that
  // no later waiter can take one.
  Deadline ack = Deadline::after_ms(kNotifyAckMs);
  for (;;) {
    uint32_t seen = s_.taken.load(std::memory_order_acquire);
    if (tokens_of(s_.counts.load(std::memory_order_acquire)) == 0) break;
    if (!platform::wait_on(s_.taken_cell, s_.taken, seen, ack) && ack.expired()) break;
  }
  return 0;
}

int Condition::notify_all() { return notify(UINT32_MAX); }

}  // namespace mproc::core
