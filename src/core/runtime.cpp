#include "core/runtime.hpp"

#include <atomic>
#include <exception>

#include "platform/error.hpp"
#include "platform/fork_registry.hpp"
#include "platform/signals.hpp"
#include "platform/threads.hpp"

namespace mproc::core {
namespace {

// The live runtime of this process, or null before first use.
std::atomic<Runtime*> g_runtime{nullptr};
// Guards creation. Taken around every fork (stage kRuntime of
// platform/fork_registry.hpp), so a forked child finds it free; it is held
// only while a runtime is made, never while waiting on one.
std::mutex g_create_mu;
// Runtimes inherited from a parent across fork. Their threads do not exist
// here, so they can never be shut down; they stay reachable so that leak
// checkers in a child that exits normally do not report them.
std::vector<Runtime*>* g_abandoned = nullptr;
// The atexit registration survives fork, so it happens once per program,
// not once per runtime.
bool g_exit_handler_installed = false;

void lock_for_fork() { g_create_mu.lock(); }
void unlock_after_fork() { g_create_mu.unlock(); }

}  // namespace

const bool Runtime::fork_hooks_registered_ = [] {
  platform::register_fork_hooks(platform::ForkStage::kRuntime,
                                {&lock_for_fork, &unlock_after_fork, &Runtime::on_fork_child});
  return true;
}();

Runtime& Runtime::get() {
  if (Runtime* rt = g_runtime.load(std::memory_order_acquire)) return *rt;
  std::lock_guard<std::mutex> lock(g_create_mu);
  if (Runtime* rt = g_runtime.load(std::memory_order_acquire)) return *rt;
  if (!g_exit_handler_installed) {
    if (std::atexit(&Runtime::on_process_exit) != 0)
      fail(MPROC_ENOMEM, "runtime: cannot register the exit handler");
    g_exit_handler_installed = true;
  }
  // Runtimes are never deleted: the exit handler may run while other
  // threads still hold references, and a forked child inherits one it can
  // not tear down (see g_abandoned).
  Runtime* rt = new Runtime();
  g_runtime.store(rt, std::memory_order_release);
  return *rt;
}

bool Runtime::exists() noexcept {
  return g_runtime.load(std::memory_order_acquire) != nullptr;
}

Runtime::Runtime() {
  int rc = uv_loop_init(&loop_);
  if (rc != 0) fail(code_from_errno(-rc), "runtime: uv_loop_init failed");
  rc = uv_async_init(&loop_, &wake_, &Runtime::on_wake);
  if (rc != 0) {
    uv_loop_close(&loop_);
    fail(code_from_errno(-rc), "runtime: uv_async_init failed");
  }
  wake_.data = this;

  // The reactor must not take the host program's asynchronous signals:
  // the host decides which of its threads handle them. The thread inherits
  // the mask blocked here; this thread's own is restored at once.
  try {
    platform::AllSignalsBlocked blocked;
    thread_ = std::thread([this] { run(); });
  } catch (...) {
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
    throw;
  }
  thread_id_ = thread_.get_id();
}

void Runtime::run() {
  platform::current_thread_stack(&stack_base_, &stack_size_);
  uv_run(&loop_, UV_RUN_DEFAULT);
}

bool Runtime::on_reactor_thread() const noexcept {
  return std::this_thread::get_id() == thread_id_;
}

void Runtime::post(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) fail(MPROC_ECLOSED, "runtime: shut down (process exiting)");
    jobs_.push_back(std::move(job));
  }
  uv_async_send(&wake_);
}

void Runtime::call(const Job& job) {
  if (on_reactor_thread()) {
    job(&loop_);
    return;
  }
  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::exception_ptr error;
  post([&](uv_loop_t* loop) {
    try {
      job(loop);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(done_mu);
    done = true;
    done_cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(done_mu);
  done_cv.wait(lock, [&] { return done; });
  if (error) std::rethrow_exception(error);
}

void Runtime::on_wake(uv_async_t* handle) {
  auto* self = static_cast<Runtime*>(handle->data);
  self->drain_jobs();
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    stopping = self->stopping_;
  }
  if (stopping) self->close_everything();
}

void Runtime::drain_jobs() {
  // The batch is a member, not a local: a fork in the middle of a batch
  // leaves the jobs reachable from the (abandoned) runtime object.
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_.swap(jobs_);
  }
  for (Job& job : running_) {
    try {
      job(&loop_);
    } catch (...) {
      // A posted job reports through its own state; nothing waits here.
    }
  }
  running_.clear();
}

void Runtime::close_everything() {
  drain_jobs();
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
}

void Runtime::at_exit(std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  exit_hooks_.push_back(std::move(hook));
}

void Runtime::run_exit_hooks() {
  for (;;) {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (exit_hooks_.empty()) return;
      hook = std::move(exit_hooks_.back());
      exit_hooks_.pop_back();
    }
    try {
      hook();
    } catch (...) {
      // Exit continues whatever a hook reports.
    }
  }
}

void Runtime::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  uv_async_send(&wake_);
  // On the reactor thread itself (exit() called from a job) the loop can not
  // be joined from inside; the process is ending, so leave it be.
  if (on_reactor_thread()) return;
  thread_.join();
  uv_loop_close(&loop_);
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
}

void Runtime::on_process_exit() { run_exit_sequence(); }

void Runtime::run_exit_sequence() {
  Runtime* rt = g_runtime.load(std::memory_order_acquire);
  if (rt == nullptr) return;
  if (!rt->on_reactor_thread()) rt->run_exit_hooks();
  rt->shutdown();
}

void Runtime::forget_after_fork() noexcept {
  // What the reactor held on its stack at the fork is still in this address
  // space, referenced from a stack whose thread is gone: under a leak
  // checker that stack is made a root, or a child that exits normally
  // reports the parent's in-flight jobs as leaks.
  if (stack_base_ != nullptr) platform::leak_check_add_root(stack_base_, stack_size_);
  // The loop's kernel objects (its poll set, its wake-up descriptor, its
  // signal pipe) are shared with the parent after the fork: uv_loop_fork
  // lets go of this process's copies and gives the loop objects of its own,
  // so nothing done here reaches the parent's reactor, and a stray signal
  // byte from libuv's handler lands in a pipe of this loop, never in a
  // reused descriptor number. The loop is never run nor closed again (its
  // thread is gone, its handles belong to the parent's objects); its new
  // descriptors are close-on-exec.
  uv_loop_fork(&loop_);
}

// The child keeps nothing of the parent's reactor: its thread is gone.
void Runtime::on_fork_child() {
  Runtime* rt = g_runtime.exchange(nullptr, std::memory_order_acq_rel);
  if (rt != nullptr) {
    rt->forget_after_fork();
    if (g_abandoned == nullptr) g_abandoned = new std::vector<Runtime*>;
    g_abandoned->push_back(rt);
  }
  g_create_mu.unlock();  // the forking thread took it before the fork
}

}  // namespace mproc::core
