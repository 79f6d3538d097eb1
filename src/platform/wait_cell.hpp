// The per-word state a wait needs, laid out in shared memory beside the
// word. With futexes the kernel keeps all of it; the POSIX fallback keeps a
// mutex and a condition variable here.
#pragma once

#include <cstdint>

#if defined(MPROC_SYNC_POSIX)
#include <pthread.h>
#endif

namespace mproc::platform {

#if defined(MPROC_SYNC_POSIX)
struct WaitCell {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
};
#else
struct WaitCell {
  uint32_t unused;
};
#endif

}  // namespace mproc::platform
