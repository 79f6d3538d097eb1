// Facts about threads that core needs and the OS answers: the calling
// thread's stack, and telling a leak checker about memory that only a
// thread gone after a fork still refers to.
#pragma once

#include <cstddef>

namespace mproc::platform {

// The calling thread's stack; false (and nothing set) if it can not be
// found.
bool current_thread_stack(void** base, size_t* size) noexcept;

// Under a leak checker (AddressSanitizer's), makes [base, base+size) a
// root: what it points to is not reported as leaked. Nothing otherwise.
void leak_check_add_root(void* base, size_t size) noexcept;

// Gives the CPU to another runnable thread, if any.
void yield_thread() noexcept;

}  // namespace mproc::platform
