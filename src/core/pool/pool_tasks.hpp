// Pool task functions: the result a task fills, and running one. Their
// names are in the one task registry (core/tasks.hpp).
#pragma once

#include <mproc/pool.h>

#include <string>

#include "core/tasks.hpp"

// What a pool task writes: its output bytes, or an error code and message.
// The worker reuses one for every task, so steady work allocates nothing.
struct mproc_result_s {
  static constexpr uint32_t kMagic = 0x72736c74;  // "rslt"
  uint32_t magic = kMagic;
  std::string output;
  int code = 0;
  std::string message;

  void clear() {
    output.clear();
    code = 0;
    message.clear();
  }
};

namespace mproc::core {

// Runs `fn` on one input: 0 with result.output set, or a negative code with
// result.message. A C++ exception escaping the task, a positive return and
// a code that is not one of the MPROC_E* codes become MPROC_ETASK (the
// message says what the task did).
int run_pool_task(PoolFn fn, const void* in, size_t len, mproc_result_s& result) noexcept;

}  // namespace mproc::core
