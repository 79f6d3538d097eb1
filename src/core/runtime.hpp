// The per-process runtime: one reactor thread running a uv_loop_t.
//
// Every libuv call happens on the reactor thread. Other threads hand it work
// with call() (and wait) or post() (and go on). The runtime is made on first
// use; a forked child discards its parent's runtime (whose thread does not
// exist there) and makes a fresh one on its own first use. At process exit,
// exit hooks run first (they may still call()), then the loop closes every
// handle it still has and the thread is joined.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mproc::core {

class Runtime {
 public:
  using Job = std::function<void(uv_loop_t*)>;

  // This process's runtime, created on first use.
  static Runtime& get();
  // True when a runtime has been created in this process (not inherited).
  static bool exists() noexcept;

  // Runs `job` on the reactor thread and waits for it to finish; whatever it
  // throws is rethrown here. Called on the reactor thread, runs it inline.
  // Throws MPROC_ECLOSED once the runtime has shut down.
  void call(const Job& job);
  // Queues `job` for the reactor thread and returns at once. Exceptions the
  // job throws are dropped: a posted job reports through its own state.
  void post(Job job);
  bool on_reactor_thread() const noexcept;

  // Registers a hook run at process exit, before the loop stops. Hooks run
  // in reverse order of registration on the exiting thread.
  void at_exit(std::function<void()> hook);

  // Stops the reactor and joins it. Safe to call twice; after it, call()
  // throws MPROC_ECLOSED.
  void shutdown();

  // What process exit does: runs the exit hooks, then shuts the runtime
  // down; nothing if this process never made a runtime. Children that
  // leave with _exit call it themselves.
  static void run_exit_sequence();

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

 private:
  Runtime();
  ~Runtime() = default;  // runtimes are never destroyed, see runtime.cpp

  void run();
  void drain_jobs();
  void close_everything();
  void run_exit_hooks();
  void forget_after_fork() noexcept;

  static void on_wake(uv_async_t* handle);
  static void on_process_exit();
  // The child's hook of stage kRuntime (platform/fork_registry.hpp),
  // registered by the initialiser of fork_hooks_registered_.
  static void on_fork_child();
  static const bool fork_hooks_registered_;

  uv_loop_t loop_{};
  uv_async_t wake_{};
  std::thread thread_;
  std::thread::id thread_id_;
  void* stack_base_ = nullptr;  // the reactor thread's stack, see forget_after_fork
  size_t stack_size_ = 0;

  std::mutex mu_;
  std::vector<Job> jobs_;
  std::vector<Job> running_;  // reactor only: the batch being run
  bool stopping_ = false;
  bool stopped_ = false;
  std::vector<std::function<void()>> exit_hooks_;
};

}  // namespace mproc::core
