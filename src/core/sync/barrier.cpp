#include "core/sync/barrier.hpp"

#include <mproc/args.h>

#include <unistd.h>

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr int32_t kFilling = 0;
constexpr int32_t kDraining = 1;
constexpr int32_t kResetting = -1;
constexpr int32_t kBroken = -2;

}  // namespace

Barrier::Barrier(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<BarrierState>()) {
  if (s_.parties == 0) fail(MPROC_ECORRUPT, "barrier with no parties");
}

std::shared_ptr<Barrier> Barrier::create(uint32_t parties, const SharedOptions& options) {
  if (parties == 0) fail(MPROC_EINVAL, "barrier: parties must be at least 1");
  auto region = SharedRegion::create(ObjectKind::kBarrier,
                                     static_cast<size_t>(sysconf(_SC_PAGESIZE)), options);
  auto& s = region->state<BarrierState>();
  owned_lock_init(s.lock);
  s.parties = parties;
  s.count = 0;
  s.phase = kFilling;
  s.seq.store(0, std::memory_order_relaxed);
  platform::wait_cell_init(s.cell);
  region->publish();
  return std::make_shared<Barrier>(std::move(region));
}

std::shared_ptr<Barrier> Barrier::open(const std::string& name) {
  return std::make_shared<Barrier>(SharedRegion::open(name, ObjectKind::kBarrier));
}

std::shared_ptr<Barrier> Barrier::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<Barrier>(SharedRegion::decode(in, fds, ObjectKind::kBarrier));
}

int Barrier::arg_type() const noexcept { return MPROC_ARG_BARRIER; }

void Barrier::lock() {
  int rc = owned_lock_acquire(s_.lock, Deadline::never());
  if (rc == MPROC_EOWNERDEAD) break_locked();
}

void Barrier::unlock() { owned_lock_release(s_.lock); }

void Barrier::notify_all_locked() {
  s_.seq.fetch_add(1, std::memory_order_release);
  platform::wake(s_.cell, s_.seq, platform::kWakeAll);
}

void Barrier::break_locked() {
  s_.phase = kBroken;
  notify_all_locked();
}

bool Barrier::sleep_locked(uint32_t seen, const Deadline& deadline) {
  unlock();
  bool in_time = platform::wait_on(s_.cell, s_.seq, seen, deadline);
  lock();
  return in_time || !deadline.expired();
}

int Barrier::wait(const Deadline& deadline, uint32_t* index) {
  lock();
  // Wait out a previous round still draining, or a reset in progress.
  while (s_.phase == kDraining || s_.phase == kResetting) {
    uint32_t seen = s_.seq.load(std::memory_order_acquire);
    if (!sleep_locked(seen, deadline)) {
      break_locked();
      unlock();
      return MPROC_ETIMEDOUT;
    }
  }
  if (s_.phase != kFilling) {
    unlock();
    return MPROC_EBROKEN;
  }
  uint32_t mine = s_.count++;
  int rc = 0;
  if (mine + 1 == s_.parties) {
    s_.phase = kDraining;  // the last arrival lets everyone through
    notify_all_locked();
  } else {
    while (s_.phase == kFilling) {
      uint32_t seen = s_.seq.load(std::memory_order_acquire);
      if (!sleep_locked(seen, deadline)) {
        if (s_.phase == kFilling) {
          break_locked();
          rc = MPROC_ETIMEDOUT;
        }
        break;
      }
    }
    if (rc == 0 && s_.phase != kDraining) rc = MPROC_EBROKEN;
  }
  // Leaving: the last one out of a drain or reset opens the next round.
  s_.count--;
  if (s_.count == 0 && (s_.phase == kDraining || s_.phase == kResetting)) {
    s_.phase = kFilling;
    notify_all_locked();
  }
  unlock();
  if (rc == 0) *index = mine;
  return rc;
}

void Barrier::abort() {
  lock();
  break_locked();
  unlock();
}

void Barrier::reset() {
  lock();
  if (s_.count > 0) {
    if (s_.phase == kFilling || s_.phase == kBroken) s_.phase = kResetting;
  } else {
    s_.phase = kFilling;
  }
  notify_all_locked();
  unlock();
}

uint32_t Barrier::n_waiting() {
  lock();
  uint32_t n = s_.phase == kFilling ? s_.count : 0;
  unlock();
  return n;
}

bool Barrier::broken() {
  lock();
  bool b = s_.phase == kBroken;
  unlock();
  return b;
}

}  // namespace mproc::core
