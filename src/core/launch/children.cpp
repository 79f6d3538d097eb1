#include "core/launch/children.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "core/runtime.hpp"
#include "platform/fork_registry.hpp"
#include "platform/signals.hpp"

namespace mproc::core {
namespace {

// The registry of this process, made on first use under g_create_mu.
Children* g_children = nullptr;
std::mutex g_create_mu;
// Registries inherited across fork describe the parent's children, not
// ours; they are set aside (kept reachable) rather than destroyed, since
// their locks may have been held at the fork.
std::vector<Children*>* g_inherited = nullptr;
std::once_flag g_exit_handler_once;

// How long a daemon has between SIGTERM and SIGKILL at exit.
constexpr int64_t kDaemonGraceMs = 1000;

std::atomic<bool> g_exiting{false};
std::vector<std::function<void()>>* g_exit_hooks = nullptr;
std::mutex g_exit_hooks_mu;

void at_process_exit() {
  g_exiting.store(true);
  if (g_children != nullptr) g_children->exit_cleanup();
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(g_exit_hooks_mu);
    if (g_exit_hooks != nullptr) hooks.swap(*g_exit_hooks);
  }
  for (auto& hook : hooks) {
    try {
      hook();
    } catch (...) {
    }
  }
}

// Around fork (platform/fork_registry.hpp, stage kChildren): both locks are
// taken, so the child finds them free and the pointers they guard settled.
// Neither is held while taking another lock or waiting.
void lock_for_fork() {
  g_create_mu.lock();
  g_exit_hooks_mu.lock();
}

void unlock_after_fork() {
  g_exit_hooks_mu.unlock();
  g_create_mu.unlock();
}

// The child starts with no children and none of the parent's exit hooks
// (they are the parent's business). The atexit handler stays: it runs the
// child's own cleanup.
void forget_the_parents_children() {
  g_exiting.store(false);
  if (g_exit_hooks != nullptr) g_exit_hooks->clear();
  if (g_children != nullptr) {
    if (g_inherited == nullptr) g_inherited = new std::vector<Children*>;
    g_inherited->push_back(g_children);
    g_children = new Children;
  }
  unlock_after_fork();
}

[[maybe_unused]] const bool g_fork_hooks_registered = [] {
  platform::register_fork_hooks(platform::ForkStage::kChildren,
                                {&lock_for_fork, &unlock_after_fork,
                                 &forget_the_parents_children});
  return true;
}();

}  // namespace

Children& Children::get() {
  // The handler survives fork: it looks up the registry of whichever
  // process runs it.
  std::call_once(g_exit_handler_once, [] { std::atexit(&at_process_exit); });
  std::lock_guard<std::mutex> lock(g_create_mu);
  if (g_children == nullptr) g_children = new Children;
  return *g_children;
}

bool Children::exiting() noexcept { return g_exiting.load(); }

void Children::at_exit(std::function<void()> hook) {
  get();  // makes sure the process exit handler is installed
  std::lock_guard<std::mutex> lock(g_exit_hooks_mu);
  if (g_exit_hooks == nullptr) g_exit_hooks = new std::vector<std::function<void()>>;
  g_exit_hooks->push_back(std::move(hook));
}

void Children::run_process_exit() {
  at_process_exit();
  Runtime::run_exit_sequence();
}

void Children::prune_locked() {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [](const Entry& e) { return e.child->reaped(); }),
                 entries_.end());
}

void Children::add(const std::shared_ptr<Child>& child, bool daemon, bool is_process) {
  std::lock_guard<std::mutex> lock(mu_);
  prune_locked();
  entries_.push_back({child, daemon, is_process});
}

void Children::release(const std::shared_ptr<Child>& child) noexcept {
  // Called from destructors: a child that can not be watched (the runtime
  // is shut down, memory ran out) is left to be reaped at exit or by init.
  try {
    if (child && !child->reaped()) child->watch({});
  } catch (...) {
  }
}

std::vector<int64_t> Children::active_processes() {
  std::vector<std::shared_ptr<Child>> candidates;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Entry& e : entries_)
      if (e.is_process) candidates.push_back(e.child);
  }
  std::vector<int64_t> pids;
  for (const auto& c : candidates)
    if (c->alive()) pids.push_back(c->pid());
  std::lock_guard<std::mutex> lock(mu_);
  prune_locked();
  return pids;
}

void Children::exit_cleanup() {
  std::vector<Entry> processes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Entry& e : entries_)
      if (e.is_process) processes.push_back(e);
  }
  for (const Entry& e : processes)
    if (e.daemon) {
      try {
        e.child->signal(platform::kSignalTerminate);
      } catch (...) {
      }
    }
  // One grace period for all daemons together, not one each.
  const platform::Deadline daemon_grace = platform::Deadline::after_ms(kDaemonGraceMs);
  for (const Entry& e : processes) {
    try {
      if (e.daemon && e.child->join(daemon_grace) != 0) {
        e.child->signal(platform::kSignalKill);
      }
      e.child->join(platform::Deadline::never());
    } catch (...) {
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  prune_locked();
}

}  // namespace mproc::core
