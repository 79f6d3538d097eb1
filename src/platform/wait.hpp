// Waiting on a 32-bit word in shared memory until another process changes
// it: Linux futexes, or (sync_backend=posix) a process-shared pthread mutex
// and condition variable kept beside the word. Callers keep their own count
// of waiters and call wake() only when there are some, so an uncontended
// operation never enters the kernel with either backend.
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/deadline.hpp"
#include "platform/threads.hpp"
#include "platform/wait_cell.hpp"

namespace mproc::platform {

// Prepares a cell in freshly zeroed shared memory.
void wait_cell_init(WaitCell& cell);

// Blocks while `word` holds `expected`, until woken, the deadline passes,
// or spuriously. Returns false only when the deadline has passed.
bool wait_on(WaitCell& cell, std::atomic<uint32_t>& word, uint32_t expected,
             const Deadline& deadline);

// Wakes up to `count` waiters of `word` (kWakeAll for every one).
void wake(WaitCell& cell, std::atomic<uint32_t>& word, int count);
inline constexpr int kWakeAll = 0x7fffffff;

// The CPU's hint that this is a spin loop (it lets a sibling hardware
// thread run and keeps the loop from flooding the memory system).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins on cpu_relax for about `ns`, touching no shared memory.
inline void relax_for_ns(int64_t ns) {
  int64_t until = monotonic_ns() + ns;
  do {
    for (int k = 0; k < 16; ++k) cpu_relax();
  } while (monotonic_ns() < until);
}

// Busy-waits up to `max_ns` for `ready()` to turn true. Returns the last
// value of ready(). A hand-off between two running processes takes a
// fraction of a microsecond this way, where sleeping and being woken takes
// tens. The first couple of microseconds spin on the CPU's pause hint; after
// that each look yields the CPU, so that a peer waiting to run on this same
// CPU (a busy machine, or one CPU for both) gets to run and answer instead
// of being starved by the spinning.
template <class Ready>
bool spin_until(Ready ready, int64_t max_ns) {
  if (ready()) return true;
  constexpr int64_t kPureSpinNs = 2000;
  int64_t start = 0;
  bool yielding = false;
  for (unsigned i = 1;; ++i) {
    if (yielding) {
      yield_thread();
    } else {
      // Look less often the longer it takes (up to every 128 pauses), so
      // the peer about to write the word is not robbed of its cache line at
      // every turn: measured, this shortened hand-offs (bench/: handoff,
      // queue_roundtrip) rather than lengthening them.
      unsigned pauses = i < 128 ? i : 128;
      for (unsigned k = 0; k < pauses; ++k) cpu_relax();
    }
    if (ready()) return true;
    // Once yielding, the clock is read after every yield: on a loaded CPU
    // one yield can last a whole time slice, and sixteen of them put timed
    // waits 150 ms past their deadline (bench/soak_waits.cpp measured it).
    if (yielding || (i & 15) == 0) {
      int64_t now = monotonic_ns();
      if (start == 0) {
        start = now;
      } else {
        int64_t spent = now - start;
        if (spent >= max_ns) return false;
        yielding = spent >= kPureSpinNs;
      }
    }
  }
}

}  // namespace mproc::platform
