// Pool task functions: the registry by name, and the result a task fills.
#pragma once

#include <mproc/pool.h>

#include <string>

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

using PoolFn = mproc_pool_fn;

// Throws EEXIST when `name` belongs to another function.
void register_pool_task(const std::string& name, PoolFn fn);
PoolFn find_pool_task(const std::string& name);
std::string pool_task_name_of(PoolFn fn);

// Runs `fn` on one input: 0 with result.output set, or a negative code with
// result.message. A C++ exception escaping the task becomes MPROC_ETASK.
int run_pool_task(PoolFn fn, const void* in, size_t len, mproc_result_s& result) noexcept;

}  // namespace mproc::core
