// Facts about the running process that the OS answers.
#pragma once

#include <cstdint>

namespace mproc::platform {

// CPUs in this process's affinity mask (at least 1).
int cpu_count() noexcept;
int64_t current_pid() noexcept;
int64_t parent_pid() noexcept;
// Kernel thread id of the caller, cached per thread and refreshed in a
// forked child (the forking thread gets a new id there).
int32_t current_tid() noexcept;

}  // namespace mproc::platform
