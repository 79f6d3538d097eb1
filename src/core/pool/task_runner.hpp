// What a pool worker does with one task message, wherever the message came
// from (a local worker's queue, or an MPI rank's batch): finds the task by
// name, runs it on its input or on each item of a chunk, and fills the
// reply. Also a worker's initializer.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "core/args.hpp"
#include "core/pool/pool_tasks.hpp"
#include "core/pool/pool_wire.hpp"

namespace mproc::core {

class TaskRunner {
 public:
  // Runs `task` (decoded by decode_task) and sets r.code, r.failed_index,
  // *message and *out as the reply format says (pool_wire.hpp); the caller
  // sets the reply's other fields. A task not registered in this process
  // answers ENOTFOUND. False when a variable chunk turns out malformed.
  bool run(const TaskView& task, ReplyHeader& r, std::string* message, std::string* out);

  // Runs the process task `name` once with `args` (null: none): 0, or the
  // code (a non-zero return becomes ETASK) with *why saying what happened.
  static int initialize(const std::string& name, const std::shared_ptr<Args>& args,
                        std::string* why);

 private:
  PoolFn find(const std::string& name);
  void fixed_chunk(PoolFn fn, const TaskHeader& h, const char* in, ReplyHeader& r,
                   std::string* message, std::string* out);
  bool var_chunk(PoolFn fn, const TaskHeader& h, std::string_view rest, std::string* out);

  std::unordered_map<std::string, PoolFn> names_;  // resolved once each
  mproc_result_s result_;
};

}  // namespace mproc::core
