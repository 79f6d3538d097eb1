// What this process does around fork, in one place.
//
// fork copies the whole address space but only the thread that called it:
// a lock another thread held at that moment stays held in the child for
// ever, and whatever that thread was changing stays half-changed. Every
// component with process-wide state registers its hooks here under a fixed
// stage; this registry makes the only pthread_atfork registration, so the
// order is decided by the list below and nowhere else:
//
//   before fork   each stage's prepare hook, in stage order
//   after fork    each stage's parent hook (in the parent) or child hook
//                 (in the child), in reverse stage order
//
// A prepare hook takes the locks that keep its state consistent; the parent
// hook releases them; the child hook releases them too (the forking thread
// holds them there) and resets what belongs to the parent: its threads, its
// children, its servers. The stage order is therefore a lock order: code
// holding a hooked lock of one stage may take those of later stages, never
// of earlier ones, and must never wait for another thread (the reactor
// included) while holding one, or a fork would wait for ever.
//
// Any thread may fork, through mproc's fork start method or a bare fork():
// both run these hooks.
#pragma once

#include <cstdint>

namespace mproc::platform {

enum class ForkStage : int {
  // core/launch/forkserver.cpp: the client's create lock. The child forgets the
  // parent's server and starts its own when it needs one.
  kForkserverClient,
  // core/launch/children.cpp: the registry's create lock and exit-hook lock. The
  // child starts with no children and no exit hooks.
  kChildren,
  // core/runtime.cpp: the create lock. The child drops the parent's reactor
  // (its thread is gone) and makes its own on first use.
  kRuntime,
  // platform/fork_safe_mutex.cpp: every ForkSafeMutex (connections, the
  // task and pool-task registries, the lineage); leaf locks.
  kForkSafeMutexes,
  // platform/linux/sysinfo.cpp: the forking thread's cached kernel id,
  // which is another in the child.
  kThreadIds,
  kCount
};

// Each hook may be null. Hooks must not throw, fork, or register hooks.
struct ForkHooks {
  void (*prepare)();
  void (*parent)();
  void (*child)();
};

// Installs `hooks` for `stage`, replacing what was there. Call it before the
// state the hooks guard is first locked (from a static initialiser, or once
// ahead of the first lock), with none of the hooked locks held.
void register_fork_hooks(ForkStage stage, const ForkHooks& hooks) noexcept;

// How many forks made this process: 0 in the program as started, one more
// in each fork child than in its parent. State that can not be taken
// around a fork (a condition variable, the claim of a thread that is not
// in the child) keeps the value it last saw and resets itself when the
// value has changed.
uint64_t fork_generation() noexcept;

}  // namespace mproc::platform
