// The portable fallback: a process-shared, robust pthread mutex and a
// process-shared condition variable (on CLOCK_MONOTONIC) per waited word.
#include <errno.h>
#include <pthread.h>

#include "platform/error.hpp"
#include "platform/wait.hpp"

namespace mproc::platform {
namespace {

// Locks the cell's mutex; a previous holder that died inside it left
// nothing half-done (the cell guards no data of its own), so the mutex is
// simply made consistent again.
void lock_cell(WaitCell& cell) {
  int rc = pthread_mutex_lock(&cell.mutex);
  if (rc == EOWNERDEAD) pthread_mutex_consistent(&cell.mutex);
}

}  // namespace

void wait_cell_init(WaitCell& cell) {
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(&cell.mutex, &ma);
  pthread_mutexattr_destroy(&ma);
  if (rc != 0) fail_errno("pthread_mutex_init", rc);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  rc = pthread_cond_init(&cell.cond, &ca);
  pthread_condattr_destroy(&ca);
  if (rc != 0) fail_errno("pthread_cond_init", rc);
}

bool wait_on(WaitCell& cell, std::atomic<uint32_t>& word, uint32_t expected,
             const Deadline& deadline) {
  lock_cell(cell);
  bool in_time = true;
  if (word.load(std::memory_order_acquire) == expected) {
    int rc;
    if (deadline.forever()) {
      rc = pthread_cond_wait(&cell.cond, &cell.mutex);
    } else {
      int64_t at = deadline.at_ns();
      struct timespec abs = {static_cast<time_t>(at / 1000000000),
                             static_cast<long>(at % 1000000000)};
      rc = pthread_cond_timedwait(&cell.cond, &cell.mutex, &abs);
    }
    if (rc == EOWNERDEAD) pthread_mutex_consistent(&cell.mutex);
    in_time = rc != ETIMEDOUT;
  }
  pthread_mutex_unlock(&cell.mutex);
  return in_time;
}

void wake(WaitCell& cell, std::atomic<uint32_t>&, int count) {
  // The waiter checks the word under the cell's mutex, so taking it here
  // orders this wake after any waiter that saw the old value.
  lock_cell(cell);
  if (count == kWakeAll) {
    pthread_cond_broadcast(&cell.cond);
  } else {
    for (int i = 0; i < count; ++i) pthread_cond_signal(&cell.cond);
  }
  pthread_mutex_unlock(&cell.mutex);
}

}  // namespace mproc::platform
