// The one registry of task functions (mproc/task.h): process tasks and pool
// tasks share one namespace, each name holding one function of one kind.
// Also: running a process task on an argument list.
#pragma once

#include <mproc/task.h>

#include <memory>
#include <string>

#include "core/args.hpp"
#include "core/handle_arena.hpp"

// The C handle of an argument list: a shared reference to the core list, so
// that a task can be handed one without copying. One made here (a task's
// view) is lent: usable for the call, not freed by the task; the C API
// makes the caller's own in a HandleArena.
struct mproc_args_s {
  static constexpr uint32_t kMagic = 0x61726773;  // "args"
  static constexpr const char* kLabel = "mproc_args_t";
  mproc::core::HandleHeader header{kMagic};
  std::shared_ptr<mproc::core::Args> args;
  void clear() noexcept { args.reset(); }
};

namespace mproc::core {

using TaskFn = mproc_task_fn;
using PoolFn = mproc_pool_fn;

// What a name is registered to: a process body or a pool body, never both.
struct TaskBody {
  TaskFn process = nullptr;
  PoolFn pool = nullptr;

  bool empty() const noexcept { return process == nullptr && pool == nullptr; }
  // "process task" or "pool task", for messages.
  const char* kind() const noexcept { return pool != nullptr ? "pool task" : "process task"; }
  bool operator==(const TaskBody& o) const noexcept {
    return process == o.process && pool == o.pool;
  }
  bool operator!=(const TaskBody& o) const noexcept { return !(*this == o); }
};

// Throws EINVAL unless `body` holds exactly one function, EEXIST when
// `name` is registered to another function (of either kind); registering
// the same pair again is harmless.
void register_task(const std::string& name, TaskBody body);
inline void register_task(const std::string& name, TaskFn fn) { register_task(name, {fn, nullptr}); }

// What `name` is registered to; empty when nothing is.
TaskBody find_body(const std::string& name);
// The process / pool body under `name`, or nullptr when no task of that
// kind has it.
TaskFn find_task(const std::string& name);
PoolFn find_pool_task(const std::string& name);
// The same, throwing ENOTFOUND (nothing has the name) or ETYPE (a task of
// the other kind has it); `context` starts the message ("pool").
TaskFn require_task(const std::string& name, const std::string& context);
PoolFn require_pool_task(const std::string& name, const std::string& context);

// The name `fn` is registered under, or "" if none.
std::string task_name_of(TaskFn fn);
std::string pool_task_name_of(PoolFn fn);

// Runs `fn` on `args` and returns its result; a C++ exception escaping the
// task is reported on stderr and becomes exit status 1, as an uncaught
// Python exception does.
int invoke_task(TaskFn fn, const std::shared_ptr<Args>& args) noexcept;

}  // namespace mproc::core
