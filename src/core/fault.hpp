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
//   queue-put-step     step N of a queue put's commit sequence (QueuePutStep)
//   queue-get-step     step N of a queue get's (QueueGetStep)
//   lock-acquire-step  step N of taking an owned lock (LockAcquireStep)
//   lock-release-step  step N of giving one up (LockReleaseStep)
//   container-step     step N of a shared dict's or list's update
//                      (ContainerStep, core/containers/container.hpp)
// Each named occurrence fails once, as the real operation could fail (an
// Error with MPROC_EAGAIN, saying it was injected; a lost notice is
// dropped). pool-settle does not fail: it stalls until the descriptor named
// by MPROC_TEST_FAULT_GATE is readable (at most 60 s), to hold a slow path
// open while a test watches what else goes on. For the *-step sites N names
// a step, not an occurrence: the first time the process reaches that step
// it ends at once (exit kFaultDeathExit: no unwinding, no atexit), as a
// SIGKILL there would. Unknown sites and bad numbers are reported on
// stderr and ignored. Children inherit the variables and keep their own
// counts; fault_plan_set replaces the plan in the calling process.
#pragma once

#include <atomic>
#include <cstdint>

namespace mproc::core {

enum class FaultSite : uint32_t {
  kPoolStart,
  kPoolReplace,
  kPoolNotice,
  kForkserverLaunch,
  kPoolSettle,
  kQueuePutStep,
  kQueueGetStep,
  kLockAcquireStep,
  kLockReleaseStep,
  kContainerStep,
};

inline constexpr bool kFaultInjection = MPROC_FAULT_INJECTION != 0;
// How a process ended by a *-step site exits.
inline constexpr int kFaultDeathExit = 86;

// Counts one occurrence of `site`; true when it is the one to fail.
bool fault_due_counted(FaultSite site) noexcept;
// The N planned for `site` (0: none).
uint64_t fault_planned(FaultSite site) noexcept;
[[noreturn]] void throw_injected_fault(FaultSite site);
[[noreturn]] void die_at_fault() noexcept;
void wait_at_fault_gate() noexcept;
// Replaces the calling process's plan (MPROC_TEST_FAULT's syntax) and
// starts its counts again: for a test's child that plans its own death.
void fault_plan_set(const char* spec);

// A bit per site that may be planned; every bit until the plan is read.
// Lets the hot paths (queue and lock steps) skip the rest with one load.
extern std::atomic<uint32_t> fault_armed_sites;

inline bool fault_armed(FaultSite site) noexcept {
  return kFaultInjection &&
         (fault_armed_sites.load(std::memory_order_relaxed) >> static_cast<uint32_t>(site) & 1) !=
             0;
}

inline bool fault_due(FaultSite site) noexcept {
  return fault_armed(site) && fault_due_counted(site);
}

// Throws the injected failure when this occurrence of `site` is due.
inline void inject_fault(FaultSite site) {
  if (fault_due(site)) throw_injected_fault(site);
}

// Stalls at the gate when this occurrence of `site` is due.
inline void stall_at_fault(FaultSite site) noexcept {
  if (fault_due(site)) wait_at_fault_gate();
}

// The steps of a queue put and get. The commit is the store of the side's
// position: a death before kCommitted leaves the message where it was, a
// death from it on has moved it (put into the queue, or taken out).
enum class QueuePutStep : uint32_t {
  kLocked = 1,     // tail_lock taken, nothing written
  kWrapWritten,    // the WRAP record written (only when the ring wraps)
  kHeaderWritten,  // the record's header written, not its payload
  kPayloadWritten,
  kIntentWritten,
  kCommitted,      // tail stored
  kCounted,        // put_count stored
  kUnlocked,       // tail_lock released, getters not yet woken
};
enum class QueueGetStep : uint32_t {
  kLocked = 1,  // head_lock taken
  kFound,       // the next record located and checked
  kCopied,      // its payload copied out
  kIntentWritten,
  kCommitted,   // head stored
  kCounted,     // get_count stored
  kUnlocked,    // head_lock released, putters not yet woken
};
// The steps of taking and giving up an owned lock.
enum class LockAcquireStep : uint32_t {
  kBegun = 1,  // the operation announced to the kernel (list_op_pending)
  kTaken,      // the word holds our id; not yet on our list
  kListed,     // on our list; the operation still pending
  kDone,       // the operation over, the owner recorded
};
enum class LockReleaseStep : uint32_t {
  kBegun = 1,  // the operation announced; still held and listed
  kUnlisted,   // off our list; the word still holds our id
  kForgotten,  // the owner record cleared
  kFreed,      // the word is 0; sleepers not yet woken
  kDone,       // the operation over
};

// The steps of one operation at `site` (a lock's acquire or release),
// with whether the site is armed read once: a load of fault_armed_sites
// at each of a lock's nine steps cost an uncontended acquire+release 40%
// (bench/: lock_uncontended). A plan set while the operation runs
// (fault_plan_set) applies from the next operation on.
class FaultSteps {
 public:
  explicit FaultSteps(FaultSite site) noexcept : site_(site), armed_(fault_armed(site)) {}
  // Ends the process at `step` when that is the step planned.
  template <class Step>
  void step(Step step) const noexcept {
    if (kFaultInjection && armed_ && fault_planned(site_) == static_cast<uint64_t>(step))
      die_at_fault();
  }

 private:
  FaultSite site_;
  bool armed_;
};

// Ends the process at `step` of `site` when that is the step planned.
template <class Step>
inline void fault_step(FaultSite site, Step step) noexcept {
  if (fault_armed(site) && fault_planned(site) == static_cast<uint64_t>(step)) die_at_fault();
}

}  // namespace mproc::core
