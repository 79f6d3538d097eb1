// WaitCell for the portable POSIX backend (posix/wait_sem.cpp): a
// process-shared semaphore and a count of sleepers. Reached through
// platform/wait_cell.hpp.
#pragma once

#include <semaphore.h>

#include <atomic>
#include <cstdint>

namespace mproc::platform {

struct WaitCell {
  uint32_t magic;  // checked before the semaphore is touched
  std::atomic<uint32_t> sleepers;
  sem_t sem;
};

// wake() reads the cell (its count of sleepers): the object must outlive a
// release that wakes (api/handles.hpp's WakeHold keeps it).
inline constexpr bool kWakeReadsNoMemory = false;

}  // namespace mproc::platform
