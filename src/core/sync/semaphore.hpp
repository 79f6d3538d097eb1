// Semaphore and BoundedSemaphore (Python's multiprocessing.Semaphore and
// BoundedSemaphore): a counter in shared memory. Taking a unit when there
// is one, and giving one back when nobody sleeps, are one atomic operation
// each, without a system call, as sem_t's.
#pragma once

#include <atomic>
#include <cstdint>

#include <mproc/common.h>

#include "core/sync/shared_object.hpp"
#include "platform/wait.hpp"

namespace mproc::core {

struct SemaphoreState {
  // The value (low 32 bits, the word sleepers wait on) and the count of
  // sleepers (high 32 bits) in one word: the operation that gives a unit
  // back also tells whether anyone sleeps, so a release touches the
  // semaphore no more after it (see WakeHold in api/handles.hpp).
  std::atomic<uint64_t> word;
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

  // 0 or MPROC_ETIMEDOUT. The path taking an available unit is inline: it
  // is one compare-and-swap, as sem_wait's.
  int acquire(const platform::Deadline& deadline) {
    return try_take() ? 0 : acquire_slow(deadline);
  }
  // 0; MPROC_ESTATE past a bounded semaphore's bound; MPROC_EOVERFLOW.
  // Inline up to the wake, which only a sleeper needs. After the
  // compare-and-swap that publishes the unit nothing but the wake touches
  // the semaphore (whose addresses are taken before): a thread the unit
  // lets go on may free it at once.
  int release(uint32_t n) {
    std::atomic<uint64_t>& word = s_.word;
    platform::WaitCell& cell = s_.cell;
    uint64_t w = word.load(std::memory_order_relaxed);
    for (;;) {
      uint32_t v = value_of(w);
      if (s_.bounded != 0 && (v > s_.bound || s_.bound - v < n)) return MPROC_ESTATE;
      if (UINT32_MAX - v < n) return MPROC_EOVERFLOW;
      if (word.compare_exchange_weak(w, w + n, std::memory_order_seq_cst)) break;
    }
    if ((w >> 32) != 0) wake(cell, word, n);
    return 0;
  }
  uint32_t value() const noexcept { return value_of(s_.word.load(std::memory_order_relaxed)); }
  uint32_t bound() const noexcept { return s_.bound; }
  bool bounded() const noexcept { return s_.bounded != 0; }
  int arg_type() const noexcept override;

 private:
  static uint32_t value_of(uint64_t word) noexcept { return static_cast<uint32_t>(word); }
  // Takes a unit if there is one.
  bool try_take() noexcept {
    uint64_t w = s_.word.load(std::memory_order_relaxed);
    while (value_of(w) > 0) {
      if (s_.word.compare_exchange_weak(w, w - 1, std::memory_order_acquire)) return true;
    }
    return false;
  }
  int acquire_slow(const platform::Deadline& deadline);
  // Wakes up to `n` sleepers of the semaphore whose word and cell these are.
  static void wake(platform::WaitCell& cell, std::atomic<uint64_t>& word, uint32_t n);
  SemaphoreState& s_;
};

}  // namespace mproc::core
