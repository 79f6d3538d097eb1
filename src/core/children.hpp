// Every child this process started and has not yet seen end: what
// active_children() lists, and what process exit joins (non-daemons) or
// terminates (daemons), as Python's multiprocessing does at exit.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <vector>

#include "core/child.hpp"

namespace mproc::core {

class Children {
 public:
  // This process's registry (a forked child starts with an empty one).
  static Children& get();

  // Tracks `child` until it ends; `is_process` children (not commands) are
  // listed by active_children and handled at exit.
  void add(const std::shared_ptr<Child>& child, bool daemon, bool is_process);
  std::vector<pid_t> active_processes();
  // Python's exit behaviour: daemons get SIGTERM (SIGKILL if still there a
  // second later), then every process child is joined.
  void exit_cleanup();

 private:
  struct Entry {
    std::shared_ptr<Child> child;
    bool daemon;
    bool is_process;
  };
  void remove(const Child* child);
  static void on_fork_child();

  std::mutex mu_;
  std::vector<Entry> entries_;
  bool exit_hook_installed_ = false;
};

}  // namespace mproc::core
