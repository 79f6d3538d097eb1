#include "core/identity.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "core/launch/bootstrap.hpp"
#include "platform/error.hpp"
#include "platform/fork_safe_mutex.hpp"
#include "platform/process.hpp"

namespace mproc::core {
namespace {

// Guards the lineage, which fork children start from.
platform::ForkSafeMutex& lineage_mutex() {
  static auto* mu = new platform::ForkSafeMutex;
  return *mu;
}
std::atomic<int64_t> g_child_counter{0};
std::atomic<int> g_default_method{MPROC_START_SPAWN};
std::atomic<bool> g_bootstrap_done{false};

}  // namespace

Identity& current_identity() {
  static Identity* identity = new Identity;  // read by exit paths: never freed
  return *identity;
}

void become_child(const std::string& name, std::vector<int64_t> lineage, bool daemon,
                  int64_t parent_pid) {
  Identity& me = current_identity();
  me.parent_pid = parent_pid;
  me.name = name;
  me.lineage = std::move(lineage);
  me.daemon = daemon;
  me.is_child = true;
  g_child_counter.store(0);
}

std::vector<int64_t> next_child_lineage() {
  std::vector<int64_t> lineage;
  {
    std::lock_guard<platform::ForkSafeMutex> lock(lineage_mutex());
    lineage = current_identity().lineage;
  }
  lineage.push_back(++g_child_counter);
  return lineage;
}

std::string default_child_name(const std::vector<int64_t>& lineage) {
  std::string name = "Process-";
  for (size_t i = 0; i < lineage.size(); ++i) {
    if (i > 0) name += ':';
    name += std::to_string(lineage[i]);
  }
  return name;
}

mproc_start_method_t default_start_method() noexcept {
  return static_cast<mproc_start_method_t>(g_default_method.load());
}

void set_default_start_method(mproc_start_method_t m) noexcept {
  g_default_method.store(m);
}

void require_start_method(mproc_start_method_t m) {
  if ((m == MPROC_START_FORK || m == MPROC_START_FORKSERVER) && !platform::fork_supported())
    fail(MPROC_ENOTSUP, std::string("the ") + start_method_name(m) +
                            " start method needs fork, which this platform does not have: "
                            "use spawn");
}

const char* start_method_name(int m) noexcept {
  switch (m) {
    case MPROC_START_DEFAULT: return "default";
    case MPROC_START_SPAWN: return "spawn";
    case MPROC_START_FORK: return "fork";
    case MPROC_START_FORKSERVER: return "forkserver";
    default: return "unknown";
  }
}

bool bootstrap_skipped() noexcept {
  // A forkserver that re-ran the program would otherwise start servers
  // of its own without end.
  return !g_bootstrap_done.load() &&
         (std::getenv(kBootstrapEnv) != nullptr || std::getenv(kForkserverEnv) != nullptr);
}

void mark_bootstrap_done() noexcept { g_bootstrap_done.store(true); }

}  // namespace mproc::core
