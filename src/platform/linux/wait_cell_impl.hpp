// WaitCell for futex waits (linux/wait_futex.cpp): the kernel keeps the
// waiters, so the cell holds nothing. Reached through platform/wait_cell.hpp.
#pragma once

#include <cstdint>

namespace mproc::platform {

struct WaitCell {
  uint32_t unused;
};

// wake() hands the kernel the word's address and reads no memory: a
// release may wake after the object could have been freed (an address
// unmapped meanwhile is an error the kernel returns; one mapped anew gets
// a spurious wake, which every futex waiter expects).
inline constexpr bool kWakeReadsNoMemory = true;

}  // namespace mproc::platform
