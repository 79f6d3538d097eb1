// Owner death without a kernel watching (Windows): whether the thread a
// lock word names is still the thread that took the lock.
//
// Thread ids are reused on Windows, soon after a thread's last handle
// closes. A lock therefore records, beside the owner's id, a stamp of the
// owner thread's incarnation (its id and creation time), and a waiter
// judges the owner by both.
//
// PROPOSED for src/platform/lifeline.hpp (Linux: current_thread_stamp()
// returns 0 and owner_is_gone(tid, stamp) is thread_is_gone(tid)); kept
// here until the interface takes it.
#pragma once

#include <cstdint>

namespace mproc::platform {

// The calling thread's stamp: never 0; two threads that ever ran with the
// same id have different stamps. Cached per thread.
uint64_t current_thread_stamp() noexcept;

// Whether the lock owner named by thread id `tid` has ended. `stamp` is
// what the lock recorded beside the word (0 or another thread's stamp if
// the owner had not recorded its own yet). The caller has established
// that it does not hold the lock itself, so its own id names an earlier
// thread. With a stamp of the owner's, the answer is exact; without one
// it is the id-only check of thread_is_gone, which can only err towards
// "alive" (a reused id).
bool owner_is_gone(int32_t tid, uint64_t stamp) noexcept;

}  // namespace mproc::platform
