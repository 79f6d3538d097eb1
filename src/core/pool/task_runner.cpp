#include "core/pool/task_runner.hpp"

#include <cstring>

#include "core/tasks.hpp"

namespace mproc::core {

PoolFn TaskRunner::find(const std::string& name) {
  auto it = names_.find(name);
  if (it != names_.end()) return it->second;
  PoolFn fn = find_pool_task(name);
  names_.emplace(name, fn);
  return fn;
}

bool TaskRunner::run(const TaskView& task, ReplyHeader& r, std::string* message,
                     std::string* out) {
  const TaskHeader& h = task.header;
  out->clear();
  message->clear();
  PoolFn fn = h.name_len > 0 ? find(std::string(task.name)) : reinterpret_cast<PoolFn>(h.fn);
  if (fn == nullptr) {
    r.code = MPROC_ENOTFOUND;
    *message = "pool task '" + std::string(task.name) + "' is not registered in the worker";
    return true;
  }
  switch (static_cast<TaskKind>(h.kind)) {
    case TaskKind::kSingle:
      r.code = run_pool_task(fn, task.payload.data(), task.payload.size(), result_);
      if (r.code == 0) out->swap(result_.output);
      else *message = result_.message;
      return true;
    case TaskKind::kFixedChunk:
      fixed_chunk(fn, h, task.payload.data(), r, message, out);
      return true;
    case TaskKind::kVarChunk:
      return var_chunk(fn, h, task.payload, out);
    default:
      return false;
  }
}

// The chunk's sizes were checked by decode_task.
void TaskRunner::fixed_chunk(PoolFn fn, const TaskHeader& h, const char* in, ReplyHeader& r,
                             std::string* message, std::string* out) {
  out->resize(h.count * h.out_size);
  for (uint64_t i = 0; i < h.count; ++i) {
    int rc = run_pool_task(fn, in + i * h.in_size, h.in_size, result_);
    if (rc == 0 && result_.output.size() != h.out_size) {
      rc = MPROC_EINVAL;
      result_.message = "the task produced " + std::to_string(result_.output.size()) +
                        " bytes where map expects " + std::to_string(h.out_size);
    }
    if (rc != 0) {
      r.code = rc;
      r.failed_index = i;
      *message = result_.message;
      out->resize(i * h.out_size);
      return;
    }
    if (h.out_size > 0) std::memcpy(&(*out)[i * h.out_size], result_.output.data(), h.out_size);
  }
}

bool TaskRunner::var_chunk(PoolFn fn, const TaskHeader& h, std::string_view rest,
                           std::string* out) {
  for (uint64_t i = 0; i < h.count; ++i) {
    std::string_view item;
    if (!take_var_input(&rest, &item)) return false;
    int rc = run_pool_task(fn, item.data(), item.size(), result_);
    const std::string& bytes = rc == 0 ? result_.output : result_.message;
    VarItemHeader ih{rc, 0, bytes.size()};
    out->append(reinterpret_cast<const char*>(&ih), sizeof ih);
    out->append(bytes);
  }
  return rest.empty();
}

int TaskRunner::initialize(const std::string& name, const std::shared_ptr<Args>& args,
                           std::string* why) {
  TaskFn init = find_task(name);
  if (init == nullptr) {
    *why = "initializer task '" + name + "' is not registered in the worker";
    return MPROC_ENOTFOUND;
  }
  int rc = invoke_task(init, args ? args : std::make_shared<Args>());
  if (rc == 0) return 0;
  *why = "initializer '" + name + "' returned " + std::to_string(rc);
  return rc < 0 ? rc : MPROC_ETASK;
}

}  // namespace mproc::core
