// The portable fallback: a process-shared POSIX semaphore per waited word,
// and a count of who sleeps on it.
//
// Not a pthread condition variable: glibc's condition variables keep an
// internal lock that a process killed inside pthread_cond_wait or
// pthread_cond_signal leaves held for ever, which hangs every later waiter
// and waker (the queue fault test, which SIGKILLs processes at random
// moments, caught exactly that). sem_post and sem_wait are single atomic
// operations plus a futex in glibc: a process dying in them leaves at
// worst a stale count, which costs a spurious wake-up, never a hang.
#include <errno.h>
#include <semaphore.h>
#include <time.h>

#include <algorithm>

#include "platform/error.hpp"
#include "platform/wait.hpp"

namespace mproc::platform {
namespace {

constexpr uint32_t kCellMagic = 0x53454d43;  // "SEMC"

// glibc aborts the process when a semaphore's bytes are garbage (its futex
// calls fail in ways it does not expect), so a cell overwritten by a
// misbehaving peer is left alone: waits poll instead, wakes do nothing,
// and the caller's own checks report the corruption.
bool intact(const WaitCell& cell) { return cell.magic == kCellMagic; }

void poll_pause(const Deadline& deadline) {
  int64_t ns = deadline.forever() ? 1000000 : std::min<int64_t>(deadline.remaining_ns(), 1000000);
  struct timespec ts = {0, static_cast<long>(ns)};
  nanosleep(&ts, nullptr);
}

}  // namespace

void wait_cell_init(WaitCell& cell) {
  if (sem_init(&cell.sem, 1, 0) != 0) fail_errno("sem_init");
  cell.sleepers.store(0, std::memory_order_relaxed);
  cell.magic = kCellMagic;
}

bool wait_on(WaitCell& cell, std::atomic<uint32_t>& word, uint32_t expected,
             const Deadline& deadline) {
  if (!intact(cell)) {
    poll_pause(deadline);
    return !deadline.expired();
  }
  // Counted before the last look at the word: a waker that changes it
  // afterwards sees the count and posts.
  cell.sleepers.fetch_add(1, std::memory_order_seq_cst);
  bool in_time = true;
  if (word.load(std::memory_order_seq_cst) == expected) {
    int rc;
    if (deadline.forever()) {
      rc = sem_wait(&cell.sem);
    } else {
      int64_t at = deadline.at_ns();
      struct timespec abs = {static_cast<time_t>(at / 1000000000),
                             static_cast<long>(at % 1000000000)};
      rc = sem_clockwait(&cell.sem, CLOCK_MONOTONIC, &abs);
    }
    in_time = rc == 0 || errno != ETIMEDOUT;
  }
  cell.sleepers.fetch_sub(1, std::memory_order_relaxed);
  return in_time;
}

void wake(WaitCell& cell, std::atomic<uint32_t>&, int count) {
  if (!intact(cell)) return;
  // A post that nobody takes (its sleeper left on a timeout) is a spurious
  // wake-up for the next sleeper, which looks at its word and sleeps again.
  uint32_t sleeping = cell.sleepers.load(std::memory_order_seq_cst);
  uint32_t n = count < 0 ? 0 : static_cast<uint32_t>(count);
  if (n > sleeping) n = sleeping;
  for (uint32_t i = 0; i < n; ++i) sem_post(&cell.sem);
}

}  // namespace mproc::platform
