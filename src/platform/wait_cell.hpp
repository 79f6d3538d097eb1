// The per-word state a wait needs, laid out in shared memory beside the
// word. With futexes the kernel keeps all of it; the POSIX fallback keeps a
// process-shared semaphore and a count of sleepers here.
#pragma once

#include <atomic>
#include <cstdint>

#if defined(MPROC_SYNC_POSIX)
#include <semaphore.h>
#endif

namespace mproc::platform {

#if defined(MPROC_SYNC_POSIX)
struct WaitCell {
  uint32_t magic;  // checked before the semaphore is touched
  std::atomic<uint32_t> sleepers;
  sem_t sem;
};
#else
struct WaitCell {
  uint32_t unused;
};
#endif

}  // namespace mproc::platform
