// The worker side of a pool: the process task every worker runs.
#pragma once

#include <memory>
#include <string>

#include "core/args.hpp"
#include "core/queue/queue.hpp"
#include "core/sync/shared_block.hpp"

namespace mproc::core {

// The registered name of the worker's process task.
inline constexpr const char* kPoolWorkerTask = "mproc.pool.worker";

// Arguments a worker is started with, in order.
struct WorkerArgs {
  std::shared_ptr<Queue> tasks;
  std::shared_ptr<Queue> replies;
  std::shared_ptr<SharedBlock> slots;
  int64_t index = 0;
  int64_t maxtasks = 0;
  std::string initializer;               // process task name, or empty
  std::shared_ptr<Args> initializer_args;  // may be null
};

std::shared_ptr<Args> encode_worker_args(const WorkerArgs& w);
// Makes sure the worker task is registered (it is, at load time; this
// keeps the registration linked in wherever pools are).
void ensure_pool_worker_registered();

}  // namespace mproc::core
