// The registry of named task functions, and running one on an argument list.
#pragma once

#include <mproc/process.h>

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

// Throws EEXIST when `name` is registered to another function.
void register_task(const std::string& name, TaskFn fn);
// nullptr when no task has that name.
TaskFn find_task(const std::string& name);
// The name `fn` is registered under, or "" if none.
std::string task_name_of(TaskFn fn);

// Runs `fn` on `args` and returns its result; a C++ exception escaping the
// task is reported on stderr and becomes exit status 1, as an uncaught
// Python exception does.
int invoke_task(TaskFn fn, const std::shared_ptr<Args>& args) noexcept;

}  // namespace mproc::core
