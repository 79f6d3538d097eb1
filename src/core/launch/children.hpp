// Every child this process started and has not yet seen end: what
// active_children() lists, and what process exit joins (non-daemons) or
// terminates (daemons), as Python's multiprocessing does at exit.
//
// A child is reaped by whoever looks at it first: a join, is_alive, the
// exit code, or -- once its handle is freed while it still runs -- the
// reactor watching its sentinel. Starting and joining a child therefore
// never involves the reactor thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/launch/child.hpp"

namespace mproc::core {

class Children {
 public:
  // This process's registry (a forked child starts with an empty one).
  static Children& get();

  // Tracks `child` until it ends; `is_process` children (not commands) are
  // listed by active_children and handled at exit.
  void add(const std::shared_ptr<Child>& child, bool daemon, bool is_process);
  // The owner of `child`'s handle let go of it: if it still runs, the
  // reactor reaps it when it ends, so it never lingers as a zombie.
  static void release(const std::shared_ptr<Child>& child) noexcept;
  std::vector<int64_t> active_processes();
  // Python's exit behaviour: daemons get SIGTERM (SIGKILL if still there a
  // second later), then every process child is joined.
  void exit_cleanup();

  // True once this process has begun its exit cleanup: nothing should start
  // new children from then on (a pool replacing its workers, say).
  static bool exiting() noexcept;

  // Registers `hook` to run at process exit, after the children are joined
  // (the forkserver uses it to stop and reap its server).
  static void at_exit(std::function<void()> hook);

  // What a process does on its way out, atexit or not: the exit cleanup of
  // the registry, then the runtime's exit sequence.
  static void run_process_exit();

 private:
  struct Entry {
    std::shared_ptr<Child> child;
    bool daemon;
    bool is_process;
  };
  // Drops entries whose child was reaped. Caller holds mu_.
  void prune_locked();

  std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace mproc::core
