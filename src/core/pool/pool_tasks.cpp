#include "core/pool/pool_tasks.hpp"

#include "platform/error.hpp"

namespace mproc::core {

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
  if (!documented_code(rc)) {
    // Only documented codes leave the library (mproc/common.h): the task's
    // own number is kept in the message.
    result.message = "task returned code " + std::to_string(rc) +
                     (result.message.empty() ? std::string() : ": " + result.message);
    rc = MPROC_ETASK;
  }
  result.code = rc;
  if (result.message.empty()) result.message = error_text(rc);
  return rc;
}

}  // namespace mproc::core
