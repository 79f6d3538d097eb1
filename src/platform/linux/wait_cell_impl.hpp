// WaitCell for futex waits (linux/wait_futex.cpp): the kernel keeps the
// waiters, so the cell holds nothing. Reached through platform/wait_cell.hpp.
#pragma once

#include <cstdint>

namespace mproc::platform {

struct WaitCell {
  uint32_t unused;
};

}  // namespace mproc::platform
