#include "platform/fork_registry.hpp"

#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace mproc::platform {
namespace {

constexpr int kStages = static_cast<int>(ForkStage::kCount);

// All constant-initialised, so that static initialisers in any order can
// register. The lock is held from the first prepare hook to the last
// parent or child hook: a registration never lands half-way through a
// fork, and two threads forking at once take their turns.
std::mutex g_mu;
ForkHooks g_hooks[kStages] = {};
bool g_installed = false;
std::atomic<uint64_t> g_generation{0};

// A hook that throws would unwind through fork's C frames: report it and
// go on with the others.
void run(void (*hook)(), const char* when) noexcept {
  if (hook == nullptr) return;
  try {
    hook();
  } catch (...) {
    std::fprintf(stderr, "mproc: a fork hook failed %s fork\n", when);
  }
}

void before_fork() {
  g_mu.lock();
  for (int i = 0; i < kStages; ++i) run(g_hooks[i].prepare, "before");
}

void after_fork_in_parent() {
  for (int i = kStages - 1; i >= 0; --i) run(g_hooks[i].parent, "after (parent)");
  g_mu.unlock();
}

void after_fork_in_child() {
  g_generation.fetch_add(1, std::memory_order_relaxed);
  for (int i = kStages - 1; i >= 0; --i) run(g_hooks[i].child, "after (child)");
  // The forking thread locked it before the fork and is this thread.
  g_mu.unlock();
}

}  // namespace

void register_fork_hooks(ForkStage stage, const ForkHooks& hooks) noexcept {
  int index = static_cast<int>(stage);
  if (index < 0 || index >= kStages) return;
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_installed) {
    // Without the hooks a fork child could find a lock held for ever:
    // there is no safe way on.
    if (pthread_atfork(&before_fork, &after_fork_in_parent, &after_fork_in_child) != 0) {
      std::fprintf(stderr, "mproc: cannot register the fork handlers\n");
      std::abort();
    }
    g_installed = true;
  }
  g_hooks[index] = hooks;
}

uint64_t fork_generation() noexcept { return g_generation.load(std::memory_order_relaxed); }

}  // namespace mproc::platform
