// Semaphore and BoundedSemaphore (Python's multiprocessing.Semaphore and
// BoundedSemaphore): a counter in shared memory. Taking a unit when there
// is one, and giving one back when nobody sleeps, are one atomic operation
// each, without a system call.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/sync/shared_object.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct SemaphoreState {
  std::atomic<uint32_t> value;
  std::atomic<uint32_t> sleepers;
  uint32_t bound;    // the most the value may reach, when `bounded`
  uint32_t bounded;  // 1: release past `bound` is an error (a bound of 0 too)
  platform::WaitCell cell;
};

class Semaphore : public SharedObject {
 public:
  // `bounded`: release past the initial value is an error.
  static std::shared_ptr<Semaphore> create(uint32_t value, bool bounded,
                                           const SharedOptions& options);
  static std::shared_ptr<Semaphore> open(const std::string& name);
  static std::shared_ptr<Semaphore> decode(WireReader& in, ReceivedFds& fds);
  explicit Semaphore(std::shared_ptr<SharedRegion> region);

  // 0 or MPROC_ETIMEDOUT.
  int acquire(const platform::Deadline& deadline);
  // 0; MPROC_ESTATE past a bounded semaphore's bound; MPROC_EOVERFLOW.
  int release(uint32_t n);
  uint32_t value() const noexcept { return s_.value.load(std::memory_order_relaxed); }
  uint32_t bound() const noexcept { return s_.bound; }
  bool bounded() const noexcept { return s_.bounded != 0; }
  int arg_type() const noexcept override;

 private:
  int acquire_slow(const platform::Deadline& deadline);
  SemaphoreState& s_;
};

}  // namespace mproc::core
