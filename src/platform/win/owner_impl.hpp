// Owner hooks on Windows, where no kernel list reports a dead lock owner:
// the lock records the owner thread's stamp (thread_gone.cpp) when taken
// and clears it before release. Reached through platform/owner.hpp.
#pragma once

#include <atomic>
#include <cstdint>

namespace mproc::platform {

// The calling thread's stamp: never 0; two threads that ever ran with the
// same id have different stamps. Cached per thread.
uint64_t current_thread_stamp() noexcept;

// Whether the owner named by thread id `tid` has ended. `stamp` is what
// the lock recorded (0 if the owner died before recording it: then only
// the id is judged, which can only err towards "alive").
bool owner_is_gone(int32_t tid, uint64_t stamp) noexcept;

inline void owner_note(std::atomic<uint64_t>& stamp) noexcept {
  stamp.store(current_thread_stamp(), std::memory_order_relaxed);
}
inline void owner_forget(std::atomic<uint64_t>& stamp) noexcept {
  stamp.store(0, std::memory_order_relaxed);
}
inline bool owner_gone(int32_t tid, uint64_t stamp) noexcept {
  return owner_is_gone(tid, stamp);
}

}  // namespace mproc::platform
