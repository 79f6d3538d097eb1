#include "core/pool/pool_tasks.hpp"

#include <mutex>
#include <unordered_map>

#include "platform/error.hpp"

namespace mproc::core {
namespace {

struct Registry {
  std::mutex mu;
  std::unordered_map<std::string, PoolFn> by_name;
};

Registry& registry() {
  static Registry* r = new Registry;  // used by static initialisers and at exit
  return *r;
}

}  // namespace

void register_pool_task(const std::string& name, PoolFn fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto [it, inserted] = r.by_name.emplace(name, fn);
  if (!inserted && it->second != fn)
    fail(MPROC_EEXIST, "pool task '" + name + "' is already registered to another function");
}

PoolFn find_pool_task(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_name.find(name);
  return it == r.by_name.end() ? nullptr : it->second;
}

std::string pool_task_name_of(PoolFn fn) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const auto& [name, f] : r.by_name)
    if (f == fn) return name;
  return {};
}

int run_pool_task(PoolFn fn, const void* in, size_t len, mproc_result_s& result) noexcept {
  result.clear();
  int rc;
  try {
    rc = fn(in, len, &result);
  } catch (const std::exception& e) {
    result.message = std::string("task raised an exception: ") + e.what();
    return result.code = MPROC_ETASK;
  } catch (...) {
    result.message = "task raised an exception";
    return result.code = MPROC_ETASK;
  }
  if (rc == 0 && result.code == 0) return 0;
  if (rc >= 0) rc = result.code < 0 ? result.code : MPROC_ETASK;
  result.code = rc;
  if (result.message.empty()) result.message = error_text(rc);
  return rc;
}

}  // namespace mproc::core
