#include "core/pool/pool_tasks.hpp"

#include "core/name_registry.hpp"
#include "platform/error.hpp"

namespace mproc::core {
namespace {

NameRegistry<PoolFn>& registry() {
  static auto* r = new NameRegistry<PoolFn>;  // used by static initialisers and at exit
  return *r;
}

}  // namespace

void register_pool_task(const std::string& name, PoolFn fn) {
  registry().add(name, fn, "pool task");
}

PoolFn find_pool_task(const std::string& name) { return registry().find(name); }

std::string pool_task_name_of(PoolFn fn) { return registry().name_of(fn); }

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
