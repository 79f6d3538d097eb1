// The test-only fault plan (see fault.hpp).
#include "core/fault.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/deadline.hpp"
#include "platform/error.hpp"
#include "platform/fd.hpp"
#include "platform/process.hpp"

namespace mproc::core {
namespace {

constexpr const char* kSiteNames[] = {"pool-start",        "pool-replace",
                                      "pool-notice",       "forkserver-launch",
                                      "pool-settle",       "queue-put-step",
                                      "queue-get-step",    "lock-acquire-step",
                                      "lock-release-step", "container-step"};
constexpr int64_t kGateMaxMs = 60000;
constexpr size_t kSites = sizeof kSiteNames / sizeof kSiteNames[0];

struct Plan {
  uint64_t fail_at[kSites] = {};  // 0: never
  std::atomic<uint64_t> seen[kSites] = {};
  int gate = -1;
  // The plan this one replaced: every plan stays reachable from the
  // current one, so a leak checker does not count the ones replaced.
  Plan* replaced = nullptr;
};

void parse_entry(Plan& plan, const std::string& entry) {
  size_t colon = entry.find(':');
  std::string site = entry.substr(0, colon);
  for (size_t i = 0; i < kSites; ++i) {
    if (site != kSiteNames[i]) continue;
    const char* number = colon == std::string::npos ? "" : entry.c_str() + colon + 1;
    char* end = nullptr;
    unsigned long long n = std::strtoull(number, &end, 10);
    if (end != number && *end == '\0' && n > 0) {
      plan.fail_at[i] = n;
      return;
    }
    break;
  }
  std::fprintf(stderr, "mproc: MPROC_TEST_FAULT: ignoring '%s' (want site:N, N >= 1)\n",
               entry.c_str());
}

// A plan from `spec` (MPROC_TEST_FAULT's syntax; NULL: none).
Plan* build_plan(const char* spec) {
  auto* made = new Plan;
  std::string rest = spec != nullptr ? spec : "";
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string entry = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    if (!entry.empty()) parse_entry(*made, entry);
  }
  if (const char* gate = std::getenv("MPROC_TEST_FAULT_GATE")) made->gate = std::atoi(gate);
  return made;
}

// Makes `p` the plan and arms exactly its sites.
Plan* install(std::atomic<Plan*>& current, Plan* p) {
  uint32_t armed = 0;
  for (size_t i = 0; i < kSites; ++i)
    if (p->fail_at[i] != 0) armed |= uint32_t{1} << i;
  p->replaced = current.load(std::memory_order_relaxed);
  current.store(p, std::memory_order_release);
  fault_armed_sites.store(armed, std::memory_order_relaxed);
  return p;
}

// Plans are never freed: counts must survive into exit handlers, and a
// thread may still be looking at one fault_plan_set replaced.
std::atomic<Plan*>& current_plan() {
  static std::atomic<Plan*> current{nullptr};
  static Plan* from_env = install(current, build_plan(std::getenv("MPROC_TEST_FAULT")));
  (void)from_env;
  return current;
}

Plan& plan() { return *current_plan().load(std::memory_order_acquire); }

}  // namespace

std::atomic<uint32_t> fault_armed_sites{~uint32_t{0}};

void fault_plan_set(const char* spec) { install(current_plan(), build_plan(spec)); }

uint64_t fault_planned(FaultSite site) noexcept {
  auto i = static_cast<size_t>(site);
  return i < kSites ? plan().fail_at[i] : 0;
}

void die_at_fault() noexcept { platform::exit_immediately(kFaultDeathExit); }

bool fault_due_counted(FaultSite site) noexcept {
  auto i = static_cast<size_t>(site);
  Plan& p = plan();
  if (i >= kSites || p.fail_at[i] == 0) return false;
  return p.seen[i].fetch_add(1, std::memory_order_relaxed) + 1 == p.fail_at[i];
}

void wait_at_fault_gate() noexcept {
  int gate = plan().gate;
  if (gate < 0) return;
  try {
    platform::wait_fd(gate, platform::IoWant::kRead, platform::Deadline::after_ms(kGateMaxMs));
  } catch (...) {
  }
}

void throw_injected_fault(FaultSite site) {
  auto i = static_cast<size_t>(site);
  fail(MPROC_EAGAIN, std::string("injected fault: ") + (i < kSites ? kSiteNames[i] : "?") +
                         " (MPROC_TEST_FAULT)");
}

}  // namespace mproc::core
