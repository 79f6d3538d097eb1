// platform/fork_registry.hpp on Windows: a process is never copied, so the
// hooks never run and every process is generation 0.
#include "platform/fork_registry.hpp"

namespace mproc::platform {

void register_fork_hooks(ForkStage, const ForkHooks&) noexcept {}

uint64_t fork_generation() noexcept { return 0; }

}  // namespace mproc::platform
