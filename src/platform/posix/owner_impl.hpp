// Owner hooks where the kernel reports a dead owner in the lock word
// (Linux's robust futex list) or where only the thread id is known: the
// stamp is unused, and liveness is thread_is_gone's answer. Reached
// through platform/owner.hpp.
#pragma once

#include <atomic>
#include <cstdint>

#include "platform/lifeline.hpp"

namespace mproc::platform {

inline void owner_note(std::atomic<uint64_t>&) noexcept {}
inline void owner_forget(std::atomic<uint64_t>&) noexcept {}
inline bool owner_gone(int32_t tid, uint64_t) noexcept { return thread_is_gone(tid); }

}  // namespace mproc::platform
