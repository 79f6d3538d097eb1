// Who owns a lock, where the kernel can not say.
//
// On Linux the kernel marks a dead owner's lock word itself (the robust
// futex list, platform/robust.hpp), so nothing else needs recording. Where
// no kernel watches (Windows), a thread id alone is not enough: ids are
// reused soon after a thread ends. There a lock records, beside its word,
// a stamp of the owner thread's incarnation, and waiters judge the owner
// by both.
//
// Each family defines the hooks in its own owner_impl.hpp, found on the
// include path the build chooses (as wait_cell_impl.hpp is):
//   void owner_note(std::atomic<uint64_t>& stamp)   the caller just took the lock
//   void owner_forget(std::atomic<uint64_t>& stamp) the caller is about to release it
//   bool owner_gone(int32_t tid, uint64_t stamp)    the owner has ended
#pragma once

#include "owner_impl.hpp"
