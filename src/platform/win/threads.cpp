// Facts about threads, on Windows.
#include "platform/threads.hpp"

#include <windows.h>

namespace mproc::platform {

// The thread's whole reserved stack, as the system records it (Windows 8
// and later; reading the TEB by hand trips GCC 12's -Warray-bounds).
bool current_thread_stack(void** base, size_t* size) noexcept {
  ULONG_PTR low = 0, high = 0;
  GetCurrentThreadStackLimits(&low, &high);
  if (low == 0 || high <= low) return false;
  *base = reinterpret_cast<void*>(low);
  *size = static_cast<size_t>(high - low);
  return true;
}

// No leak checker runs on Windows builds.
void leak_check_add_root(void*, size_t) noexcept {}

void yield_thread() noexcept { SwitchToThread(); }

}  // namespace mproc::platform
