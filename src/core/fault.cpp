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

namespace mproc::core {
namespace {

constexpr const char* kSiteNames[] = {"pool-start", "pool-replace", "pool-notice",
                                      "forkserver-launch", "pool-settle"};
constexpr int64_t kGateMaxMs = 60000;
constexpr size_t kSites = sizeof kSiteNames / sizeof kSiteNames[0];

struct Plan {
  uint64_t fail_at[kSites] = {};  // 0: never
  std::atomic<uint64_t> seen[kSites] = {};
  int gate = -1;
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

Plan& plan() {
  // Built once, never freed: counts must survive into exit handlers.
  static Plan* p = [] {
    auto* made = new Plan;
    const char* spec = std::getenv("MPROC_TEST_FAULT");
    std::string rest = spec != nullptr ? spec : "";
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string entry = rest.substr(0, comma);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
      if (!entry.empty()) parse_entry(*made, entry);
    }
    if (const char* gate = std::getenv("MPROC_TEST_FAULT_GATE")) made->gate = std::atoi(gate);
    return made;
  }();
  return *p;
}

}  // namespace

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
