#include "core/tasks.hpp"

#include <cstdio>

#include "core/name_registry.hpp"

namespace mproc::core {
namespace {

// Made on first use, never destroyed: tasks register from static
// initialisers and run until exit.
NameRegistry<TaskFn>& registry() {
  static auto* r = new NameRegistry<TaskFn>;
  return *r;
}

}  // namespace

void register_task(const std::string& name, TaskFn fn) { registry().add(name, fn, "task"); }

TaskFn find_task(const std::string& name) { return registry().find(name); }

std::string task_name_of(TaskFn fn) { return registry().name_of(fn); }

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
