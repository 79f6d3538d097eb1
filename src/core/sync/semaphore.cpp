#include "core/sync/semaphore.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr int64_t kSpinNs = 20000;

// Takes a unit if there is one.
bool try_take(SemaphoreState& s) {
  uint32_t v = s.value.load(std::memory_order_relaxed);
  while (v > 0) {
    if (s.value.compare_exchange_weak(v, v - 1, std::memory_order_acquire)) return true;
  }
  return false;
}

}  // namespace

Semaphore::Semaphore(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<SemaphoreState>()) {}

std::shared_ptr<Semaphore> Semaphore::create(uint32_t value, bool bounded,
                                             const SharedOptions& options) {
  auto region = SharedRegion::create(ObjectKind::kSemaphore,
                                     platform::page_size(), options);
  auto& s = region->state<SemaphoreState>();
  s.value.store(value, std::memory_order_relaxed);
  s.sleepers.store(0, std::memory_order_relaxed);
  s.bound = value;
  s.bounded = bounded ? 1 : 0;
  platform::wait_cell_init(s.cell);
  region->publish();
  return std::make_shared<Semaphore>(std::move(region));
}

std::shared_ptr<Semaphore> Semaphore::open(const std::string& name) {
  return std::make_shared<Semaphore>(SharedRegion::open(name, ObjectKind::kSemaphore));
}

std::shared_ptr<Semaphore> Semaphore::decode(WireReader& in, ReceivedFds& fds) {
  return std::make_shared<Semaphore>(SharedRegion::decode(in, fds, ObjectKind::kSemaphore));
}

int Semaphore::arg_type() const noexcept { return MPROC_ARG_SEM; }

int Semaphore::acquire(const Deadline& deadline) {
  if (try_take(s_)) return 0;
  return acquire_slow(deadline);
}

int Semaphore::acquire_slow(const Deadline& deadline) {
  if (deadline.immediate()) return MPROC_ETIMEDOUT;
  if (platform::spin_until([this] { return s_.value.load(std::memory_order_relaxed) > 0; },
                           kSpinNs) &&
      try_take(s_))
    return 0;
  // Counted as a sleeper before looking at the value once more: a release
  // either sees the count (and wakes us) or made the value we see.
  s_.sleepers.fetch_add(1, std::memory_order_seq_cst);
  int rc = 0;
  for (;;) {
    if (try_take(s_)) break;
    if (!platform::wait_on(s_.cell, s_.value, 0, deadline) && deadline.expired()) {
      rc = try_take(s_) ? 0 : MPROC_ETIMEDOUT;
      break;
    }
  }
  s_.sleepers.fetch_sub(1, std::memory_order_relaxed);
  return rc;
}

int Semaphore::release(uint32_t n) {
  uint32_t v = s_.value.load(std::memory_order_relaxed);
  for (;;) {
    if (s_.bounded != 0 && (v > s_.bound || s_.bound - v < n)) return MPROC_ESTATE;
    if (UINT32_MAX - v < n) return MPROC_EOVERFLOW;
    if (s_.value.compare_exchange_weak(v, v + n, std::memory_order_seq_cst)) break;
  }
  if (s_.sleepers.load(std::memory_order_seq_cst) > 0)
    platform::wake(s_.cell, s_.value, static_cast<int>(n > 0x7ffffffe ? 0x7ffffffe : n));
  return 0;
}

}  // namespace mproc::core
