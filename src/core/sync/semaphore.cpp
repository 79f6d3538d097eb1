#include "core/sync/semaphore.hpp"

#include <mproc/args.h>

#include "platform/sysinfo.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

constexpr int64_t kSpinNs = 20000;
constexpr uint64_t kOneSleeper = uint64_t{1} << 32;

// The value half of the word, which sleepers wait on (a futex is 32 bits).
// Little-endian: the low half is at the word's own address.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the value is the low half of the semaphore's word");
static_assert(sizeof(std::atomic<uint32_t>) == 4 && alignof(std::atomic<uint64_t>) >= 4);
std::atomic<uint32_t>& low_half(std::atomic<uint64_t>& word) {
  return *reinterpret_cast<std::atomic<uint32_t>*>(&word);
}

}  // namespace

Semaphore::Semaphore(std::shared_ptr<SharedRegion> region)
    : SharedObject(std::move(region)), s_(state<SemaphoreState>()) {}

std::shared_ptr<Semaphore> Semaphore::create(uint32_t value, bool bounded,
                                             const SharedOptions& options) {
  auto region = SharedRegion::create(ObjectKind::kSemaphore,
                                     platform::page_size(), options);
  auto& s = region->state<SemaphoreState>();
  s.word.store(value, std::memory_order_relaxed);  // no sleepers
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

int Semaphore::acquire_slow(const Deadline& deadline) {
  if (deadline.immediate()) return MPROC_ETIMEDOUT;
  if (platform::spin_until([this] { return value() > 0; }, kSpinNs) && try_take()) return 0;
  // Counted as a sleeper before looking at the value once more: a release
  // either sees the count (and wakes us) or made the value we see.
  s_.word.fetch_add(kOneSleeper, std::memory_order_seq_cst);
  int rc = 0;
  for (;;) {
    if (try_take()) break;
    if (!platform::wait_on(s_.cell, low_half(s_.word), 0, deadline) && deadline.expired()) {
      rc = try_take() ? 0 : MPROC_ETIMEDOUT;
      break;
    }
  }
  s_.word.fetch_sub(kOneSleeper, std::memory_order_relaxed);
  return rc;
}

void Semaphore::wake(platform::WaitCell& cell, std::atomic<uint64_t>& word, uint32_t n) {
  platform::wake(cell, low_half(word), static_cast<int>(n > 0x7ffffffe ? 0x7ffffffe : n));
}

}  // namespace mproc::core
