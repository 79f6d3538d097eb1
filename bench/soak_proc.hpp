// What this process holds, counted from /proc: the figures that must come
// back to their starting values after many processes came and went.
#pragma once

#include <cstdint>

namespace soak {

struct Holdings {
  int64_t fds = 0;          // open descriptors of this process
  int64_t shm_objects = 0;  // shared-memory objects it maps or holds open
  int64_t descendants = 0;  // live processes under this one (a forkserver)
  int64_t zombies = 0;      // ended, unreaped processes under this one
  int64_t descendant_fds = 0;  // descriptors the live descendants hold
};

Holdings holdings();

}  // namespace soak
