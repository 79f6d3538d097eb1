#include "platform/threads.hpp"

#include <pthread.h>
#include <sched.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace mproc::platform {

bool current_thread_stack(void** base, size_t* size) noexcept {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return false;
  bool ok = pthread_attr_getstack(&attr, base, size) == 0;
  pthread_attr_destroy(&attr);
  return ok;
}

void leak_check_add_root(void* base, size_t size) noexcept {
#if defined(__SANITIZE_ADDRESS__)
  if (base != nullptr) __lsan_register_root_region(base, size);
#else
  (void)base;
  (void)size;
#endif
}

void yield_thread() noexcept { sched_yield(); }

}  // namespace mproc::platform
