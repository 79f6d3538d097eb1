// Facts about the running process that the OS answers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mproc::platform {

// CPUs in this process's affinity mask (at least 1).
int cpu_count() noexcept;
// The size of a memory page.
size_t page_size() noexcept;
int64_t current_pid() noexcept;
int64_t parent_pid() noexcept;
// The calling thread's kernel id, once known (0 before). Initial-exec TLS
// and no C++ thread_local wrapper: reading it is one instruction, which
// matters on the lock fast path.
extern __thread int32_t t_current_tid __attribute__((tls_model("initial-exec")));
// Asks the kernel, caches the answer, and arranges for a forked child to
// ask again (the forking thread has a new id there).
int32_t fetch_current_tid() noexcept;

// Kernel thread id of the caller.
inline int32_t current_tid() noexcept {
  int32_t tid = t_current_tid;
  return tid != 0 ? tid : fetch_current_tid();
}

}  // namespace mproc::platform
