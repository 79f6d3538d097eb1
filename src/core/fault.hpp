// Test-only fault injection: makes the Nth occurrence of a chosen failure
// point fail, so the tests can prove that the code around it recovers (or
// fails cleanly) instead of hanging.
//
// Compiled in only when meson's `fault_injection` option is on (by default:
// when the tests are built, in a non-release build). Otherwise
// kFaultInjection is false and every check compiles away.
//
// The plan comes from the environment, read once per process on the first
// check:
//
//   MPROC_TEST_FAULT="pool-start:2,forkserver-launch:1"
//
// a comma-separated list of site:N, N counting from 1 in this process:
//   pool-start         the Nth worker started while a pool is created
//   pool-replace       the Nth start of a worker replacing one that ended
//   pool-notice        the Nth notice of a worker's exit (to the collector)
//   forkserver-launch  the Nth request to the forkserver
//   pool-settle        the Nth settling of a dead worker's task queue
// Each named occurrence fails once, as the real operation could fail (an
// Error with MPROC_EAGAIN, saying it was injected; a lost notice is
// dropped). pool-settle does not fail: it stalls until the descriptor named
// by MPROC_TEST_FAULT_GATE is readable (at most 60 s), to hold a slow path
// open while a test watches what else goes on. Unknown sites and bad
// numbers are reported on stderr and ignored. Children inherit the
// variables and keep their own counts.
#pragma once

#include <cstdint>

namespace mproc::core {

enum class FaultSite : uint32_t {
  kPoolStart,
  kPoolReplace,
  kPoolNotice,
  kForkserverLaunch,
  kPoolSettle,
};

inline constexpr bool kFaultInjection = MPROC_FAULT_INJECTION != 0;

// Counts one occurrence of `site`; true when it is the one to fail.
bool fault_due_counted(FaultSite site) noexcept;
[[noreturn]] void throw_injected_fault(FaultSite site);
void wait_at_fault_gate() noexcept;

inline bool fault_due(FaultSite site) noexcept {
  return kFaultInjection && fault_due_counted(site);
}

// Throws the injected failure when this occurrence of `site` is due.
inline void inject_fault(FaultSite site) {
  if (fault_due(site)) throw_injected_fault(site);
}

// Stalls at the gate when this occurrence of `site` is due.
inline void stall_at_fault(FaultSite site) noexcept {
  if (fault_due(site)) wait_at_fault_gate();
}

}  // namespace mproc::core
