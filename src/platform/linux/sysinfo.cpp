#include "platform/sysinfo.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/fork_registry.hpp"

namespace mproc::platform {
namespace {

// The forking thread has another id in the child.
void forget_tid_in_child() { t_current_tid = 0; }

[[maybe_unused]] const bool g_registered = [] {
  register_fork_hooks(ForkStage::kThreadIds, {nullptr, nullptr, &forget_tid_in_child});
  return true;
}();

}  // namespace

__thread int32_t t_current_tid __attribute__((tls_model("initial-exec"))) = 0;

int cpu_count() noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

size_t page_size() noexcept {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

int64_t current_pid() noexcept { return getpid(); }
int64_t parent_pid() noexcept { return getppid(); }

int32_t fetch_current_tid() noexcept {
  t_current_tid = static_cast<int32_t>(syscall(SYS_gettid));
  return t_current_tid;
}

}  // namespace mproc::platform
