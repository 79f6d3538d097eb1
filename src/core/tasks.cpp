#include "core/tasks.hpp"

#include <cstdio>
#include <mutex>
#include <unordered_map>

namespace mproc::core {
namespace {

// Tasks register from static initialisers of any library or program, in any
// order: the registry is made on first use.
struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, TaskFn> by_name;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: tasks may run at exit
  return *r;
}

}  // namespace

void register_task(const std::string& name, TaskFn fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto [it, inserted] = r.by_name.emplace(name, fn);
  if (!inserted && it->second != fn)
    fail(MPROC_EEXIST, "task '" + name + "' is already registered to another function");
}

TaskFn find_task(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_name.find(name);
  return it == r.by_name.end() ? nullptr : it->second;
}

std::string task_name_of(TaskFn fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const auto& [name, f] : r.by_name)
    if (f == fn) return name;
  return {};
}

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
