#include "platform/sysinfo.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

namespace mproc::platform {
namespace {

void forget_tid_in_child() { t_current_tid = 0; }

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

int64_t current_pid() noexcept { return getpid(); }
int64_t parent_pid() noexcept { return getppid(); }

int32_t fetch_current_tid() noexcept {
  static std::once_flag registered;
  std::call_once(registered, [] { pthread_atfork(nullptr, nullptr, forget_tid_in_child); });
  t_current_tid = static_cast<int32_t>(syscall(SYS_gettid));
  return t_current_tid;
}

}  // namespace mproc::platform
