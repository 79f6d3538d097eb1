#include "core/tasks.hpp"

#include <cstdio>

#include "core/name_registry.hpp"

namespace mproc::core {
namespace {

// Made on first use, never destroyed: tasks register from static
// initialisers and run until exit.
NameRegistry<TaskBody>& registry() {
  static auto* r = new NameRegistry<TaskBody>;
  return *r;
}

// A kind of task, and the macro that defines one, for messages.
std::string kind_with_macro(bool pool) {
  return pool ? "pool task (MPROC_POOL_TASK)" : "process task (MPROC_TASK)";
}

// The body under `name`, which must be of the kind asked for.
TaskBody require_kind(const std::string& name, const std::string& context, bool pool) {
  TaskBody body = registry().find(name);
  if (body.empty())
    fail(MPROC_ENOTFOUND, context + ": " + kind_with_macro(pool) + " '" + name +
                              "' is not registered (define it with the macro, or register it "
                              "with mproc_task_register)");
  if ((body.pool != nullptr) != pool)
    fail(MPROC_ETYPE, context + ": task '" + name + "' is a " + kind_with_macro(!pool) +
                          ", not a " + kind_with_macro(pool));
  return body;
}

}  // namespace

void register_task(const std::string& name, TaskBody body) {
  if ((body.process == nullptr) == (body.pool == nullptr))
    fail(MPROC_EINVAL, "task '" + name + "': give exactly one function, a process task or a "
                                         "pool task");
  // One namespace: a name taken by the other kind is taken.
  TaskBody existing = registry().find(name);
  if (!existing.empty() && existing != body)
    fail(MPROC_EEXIST, "task '" + name + "' is already registered to another function (a " +
                           existing.kind() + ")");
  registry().add(name, body, "task");
}

TaskBody find_body(const std::string& name) { return registry().find(name); }

TaskFn find_task(const std::string& name) { return registry().find(name).process; }

PoolFn find_pool_task(const std::string& name) { return registry().find(name).pool; }

TaskFn require_task(const std::string& name, const std::string& context) {
  return require_kind(name, context, false).process;
}

PoolFn require_pool_task(const std::string& name, const std::string& context) {
  return require_kind(name, context, true).pool;
}

std::string task_name_of(TaskFn fn) { return registry().name_of({fn, nullptr}); }

std::string pool_task_name_of(PoolFn fn) { return registry().name_of({nullptr, fn}); }

int invoke_task(TaskFn fn, const std::shared_ptr<Args>& args) noexcept {
  try {
    mproc_args_s view;
    view.args = args;
    return fn(&view);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mproc: task raised an exception: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "mproc: task raised an exception\n");
  }
  return 1;
}

}  // namespace mproc::core
