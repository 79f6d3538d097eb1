// WaitCell for Windows (win/wait_sem.cpp): a count of sleepers and the
// identity of a named kernel semaphore that each process opens for
// itself. A semaphore's HANDLE is a per-process value, so it can not live
// in shared memory; its name can. Reached through platform/wait_cell.hpp.
#pragma once

#include <atomic>
#include <cstdint>

namespace mproc::platform {

struct WaitCell {
  uint32_t magic;  // checked before the id is trusted
  std::atomic<uint32_t> sleepers;
  uint64_t id;  // random; names the semaphore "Local\mproc-wc-<16 hex digits>"
};

// wake() reads the cell (its count of sleepers): the object must outlive a
// release that wakes (api/handles.hpp's WakeHold keeps it).
inline constexpr bool kWakeReadsNoMemory = false;

}  // namespace mproc::platform
