// The registry of named task functions, and running one on an argument list.
#pragma once

#include <mproc/process.h>

#include <memory>
#include <string>

#include "core/args.hpp"

// The C handle of an argument list: a shared reference to the core list, so
// that a task can be handed one without copying.
struct mproc_args_s {
  static constexpr uint32_t kMagic = 0x61726773;  // "args"
  uint32_t magic = kMagic;
  std::shared_ptr<mproc::core::Args> args;
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
