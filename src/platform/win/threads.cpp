// Facts about threads, on Windows.
#include "platform/threads.hpp"

#include <windows.h>

namespace mproc::platform {

// The thread's stack runs from the bottom of its reserved region (the
// allocation that holds its current limit) up to the base the TEB gives.
bool current_thread_stack(void** base, size_t* size) noexcept {
  auto* tib = reinterpret_cast<NT_TIB*>(NtCurrentTeb());
  MEMORY_BASIC_INFORMATION info;
  if (tib == nullptr || VirtualQuery(tib->StackLimit, &info, sizeof info) == 0) return false;
  char* bottom = static_cast<char*>(info.AllocationBase);
  char* top = static_cast<char*>(tib->StackBase);
  if (bottom == nullptr || top <= bottom) return false;
  *base = bottom;
  *size = static_cast<size_t>(top - bottom);
  return true;
}

// No leak checker runs on Windows builds.
void leak_check_add_root(void*, size_t) noexcept {}

void yield_thread() noexcept { SwitchToThread(); }

}  // namespace mproc::platform
