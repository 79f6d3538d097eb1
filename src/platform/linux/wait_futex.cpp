// Futex waits on shared (not process-private) words.
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/wait.hpp"

namespace mproc::platform {

void wait_cell_init(WaitCell&) {}

bool wait_on(WaitCell&, std::atomic<uint32_t>& word, uint32_t expected,
             const Deadline& deadline) {
  struct timespec abs;
  struct timespec* timeout = nullptr;
  if (!deadline.forever()) {
    int64_t at = deadline.at_ns();
    abs.tv_sec = static_cast<time_t>(at / 1000000000);
    abs.tv_nsec = static_cast<long>(at % 1000000000);
    timeout = &abs;
  }
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, so a wait
  // restarted after a signal keeps the same deadline.
  long rc = syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_BITSET, expected,
                    timeout, nullptr, FUTEX_BITSET_MATCH_ANY);
  if (rc == 0 || errno == EAGAIN || errno == EINTR) return true;
  if (errno == ETIMEDOUT) return false;
  return true;  // anything else: let the caller look at the word again
}

void wake(WaitCell&, std::atomic<uint32_t>& word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE, count, nullptr, nullptr, 0);
}

}  // namespace mproc::platform
