#include "core/children.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "core/runtime.hpp"

namespace mproc::core {
namespace {

Children* g_children = nullptr;
// Registries inherited across fork describe the parent's children, not
// ours; they are set aside (kept reachable) rather than destroyed, since
// their locks may have been held at the fork.
std::vector<Children*>* g_inherited = nullptr;
std::once_flag g_hooks_once;

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

}  // namespace

Children& Children::get() {
  // Both registrations survive fork; the handlers look up the registry of
  // whichever process runs them.
  std::call_once(g_hooks_once, [] {
    pthread_atfork(nullptr, nullptr, &Children::on_fork_child);
    std::atexit(&at_process_exit);
  });
  static std::mutex create_mu;
  std::lock_guard<std::mutex> lock(create_mu);
  if (g_children == nullptr) g_children = new Children;
  return *g_children;
}

void Children::on_fork_child() {
  g_exiting.store(false);
  // The parent's hooks are the parent's business.
  new (&g_exit_hooks_mu) std::mutex;
  if (g_exit_hooks != nullptr) g_exit_hooks->clear();
  if (g_children == nullptr) return;
  if (g_inherited == nullptr) g_inherited = new std::vector<Children*>;
  g_inherited->push_back(g_children);
  g_children = new Children;
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

std::vector<pid_t> Children::active_processes() {
  std::vector<std::shared_ptr<Child>> candidates;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Entry& e : entries_)
      if (e.is_process) candidates.push_back(e.child);
  }
  std::vector<pid_t> pids;
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
        e.child->signal(SIGTERM);
      } catch (...) {
      }
    }
  // One grace period for all daemons together, not one each.
  const platform::Deadline daemon_grace = platform::Deadline::after_ms(kDaemonGraceMs);
  for (const Entry& e : processes) {
    try {
      if (e.daemon && e.child->join(daemon_grace) != 0) {
        e.child->signal(SIGKILL);
      }
      e.child->join(platform::Deadline::never());
    } catch (...) {
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  prune_locked();
}

}  // namespace mproc::core
