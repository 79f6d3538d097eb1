#include "core/sync/barrier.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {

using platform::Deadline;

Barrier::Barrier(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<BarrierState>()) {
  if (s_.parties == 0) fail(MPROC_ECORRUPT, "barrier with no parties");
  this->region()->keep_while_held(&s_.lock.word);
}

std::shared_ptr<Barrier> Barrier::create(uint32_t parties, const SharedOptions& options) {
  if (parties == 0) fail(MPROC_EINVAL, "barrier: parties must be at least 1");
  auto region = SharedRegion::create(ObjectKind::kBarrier,
                                     platform::page_size(), options);
  auto& s = region->state<BarrierState>();
  owned_lock_init(s.lock);
  s.parties = parties;
  s.count = 0;
  s.broken = 0;
  s.generation = 0;
  s.tripped = 0;
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
  s_.broken = 1;
  notify_all_locked();
}

void Barrier::end_generation_locked(bool tripped) {
  uint64_t bit = uint64_t{1} << (s_.generation % 64);
  s_.tripped = tripped ? (s_.tripped | bit) : (s_.tripped & ~bit);
  s_.generation++;
  s_.count = 0;
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
  if (s_.broken) {
    unlock();
    return MPROC_EBROKEN;
  }
  const uint64_t mine = s_.generation;
  const uint32_t arrival = s_.count++;
  if (arrival + 1 >= s_.parties) {
    end_generation_locked(true);  // the last arrival lets everyone through
    unlock();
    if (index != nullptr) *index = arrival;
    return 0;
  }
  int rc = 0;
  for (;;) {
    uint64_t passed = s_.generation - mine;
    if (passed > 0) {
      // A waiter more than 64 generations late can no longer tell how its
      // own ended; it reports the barrier broken rather than guess.
      bool tripped = passed <= 64 && (s_.tripped >> (mine % 64) & 1) != 0;
      rc = tripped ? 0 : MPROC_EBROKEN;
      break;
    }
    if (s_.broken) {
      rc = MPROC_EBROKEN;
      break;
    }
    uint32_t seen = s_.seq.load(std::memory_order_acquire);
    if (!sleep_locked(seen, deadline) && s_.generation == mine && !s_.broken) {
      break_locked();  // as in Python, one waiter's timeout breaks it for all
      rc = MPROC_ETIMEDOUT;
      break;
    }
  }
  unlock();
  if (rc == 0 && index != nullptr) *index = arrival;
  return rc;
}

void Barrier::abort() {
  lock();
  break_locked();
  unlock();
}

void Barrier::reset() {
  lock();
  s_.broken = 0;
  end_generation_locked(false);  // whoever waits now gets EBROKEN
  unlock();
}

uint32_t Barrier::n_waiting() {
  lock();
  uint32_t n = s_.broken ? 0 : s_.count;
  unlock();
  return n;
}

bool Barrier::broken() {
  lock();
  bool b = s_.broken != 0;
  unlock();
  return b;
}

}  // namespace mproc::core
