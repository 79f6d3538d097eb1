// platform/child_exits.hpp on Windows: only the forkserver reaps "any
// child", and without fork there is no forkserver (fork_supported() is
// false, so core never gets here).
#include "platform/child_exits.hpp"

#include "platform/error.hpp"

namespace mproc::platform {

void ChildExits::open() {
  fail(MPROC_ENOTSUP, "the forkserver needs fork, which Windows does not have: use the spawn "
                      "start method");
}

void ChildExits::reap_ended(const std::function<void(int64_t, int)>&) {}

void ChildExits::close_in_child() noexcept { fd_.reset(); }

}  // namespace mproc::platform
