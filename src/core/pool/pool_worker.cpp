#include "core/pool/pool_worker.hpp"

#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/pool/pool_tasks.hpp"
#include "core/pool/pool_wire.hpp"
#include "core/tasks.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

// Resolves task names to functions, remembering the answers.
class TaskCache {
 public:
  PoolFn get(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
    PoolFn fn = find_pool_task(name);
    cache_.emplace(name, fn);
    return fn;
  }

 private:
  std::unordered_map<std::string, PoolFn> cache_;
};

class Worker {
 public:
  explicit Worker(WorkerArgs a) : a_(std::move(a)) {
    slot_ = static_cast<WorkerSlotState*>(a_.slots->data()) + a_.index;
  }

  int run() {
    if (!a_.initializer.empty() && !initialize()) return 0;
    uint64_t done = 0;
    for (;;) {
      size_t len = 0;
      int rc = a_.tasks->get_into(in_.data(), in_.size(), &len, Deadline::never());
      if (rc == MPROC_ETOOBIG) {
        in_.resize(len);
        continue;
      }
      if (rc != 0) return 0;  // closed: the pool is gone
      if (len < sizeof(TaskHeader)) return 3;
      TaskHeader h;
      std::memcpy(&h, in_.data(), sizeof h);
      if (static_cast<TaskKind>(h.kind) == TaskKind::kStop) return 0;
      if (!execute(h, len)) return 4;
      if (a_.maxtasks > 0 && ++done >= static_cast<uint64_t>(a_.maxtasks)) return 0;
    }
  }

 private:
  bool initialize() {
    TaskFn init = find_task(a_.initializer);
    int rc;
    std::string why;
    if (init == nullptr) {
      rc = MPROC_ENOTFOUND;
      why = "initializer task '" + a_.initializer + "' is not registered in the worker";
    } else {
      rc = invoke_task(init, a_.initializer_args ? a_.initializer_args
                                                 : std::make_shared<Args>());
      why = "initializer '" + a_.initializer + "' returned " + std::to_string(rc);
    }
    if (rc == 0) return true;
    ReplyHeader r{};
    r.kind = static_cast<uint32_t>(ReplyKind::kInitFailed);
    r.worker = static_cast<uint32_t>(a_.index);
    r.code = rc < 0 ? rc : MPROC_ETASK;
    r.message_len = static_cast<uint32_t>(why.size());
    Part parts[] = {{&r, sizeof r}, {why.data(), why.size()}};
    a_.replies->put_parts(parts, 2, Deadline::never());
    return false;
  }

  // Runs one task message and puts its reply; false if the message is
  // malformed (the worker then stops: its pool is not speaking its
  // language).
  bool execute(const TaskHeader& h, size_t len) {
    size_t at = sizeof h;
    if (h.name_len > len - at) return false;
    std::string name(in_.data() + at, h.name_len);
    at += h.name_len;
    PoolFn fn = h.name_len > 0 ? tasks_.get(name) : reinterpret_cast<PoolFn>(h.fn);
    const char* payload = in_.data() + at;
    size_t payload_len = len - at;

    slot_->started_ns.store(platform::monotonic_ns(), std::memory_order_relaxed);
    slot_->running.store(h.id + 1, std::memory_order_seq_cst);
    ReplyHeader r{};
    r.kind = static_cast<uint32_t>(ReplyKind::kResult);
    r.worker = static_cast<uint32_t>(a_.index);
    r.id = h.id;
    out_.clear();
    std::string message;
    if (fn == nullptr) {
      r.code = MPROC_ENOTFOUND;
      message = "pool task '" + name + "' is not registered in the worker";
    } else {
      switch (static_cast<TaskKind>(h.kind)) {
        case TaskKind::kSingle:
          r.code = run_pool_task(fn, payload, payload_len, result_);
          if (r.code == 0) out_.swap(result_.output);
          else message = result_.message;
          break;
        case TaskKind::kFixedChunk:
          if (!fixed_chunk(fn, h, payload, payload_len, r, message)) return false;
          break;
        case TaskKind::kVarChunk:
          if (!var_chunk(fn, h, payload, payload_len)) return false;
          break;
        default:
          return false;
      }
    }
    slot_->running.store(0, std::memory_order_relaxed);
    r.message_len = static_cast<uint32_t>(message.size());
    Part parts[] = {{&r, sizeof r}, {message.data(), message.size()}, {out_.data(), out_.size()}};
    return a_.replies->put_parts(parts, 3, Deadline::never()) == 0;
  }

  bool fixed_chunk(PoolFn fn, const TaskHeader& h, const char* in, size_t len, ReplyHeader& r,
                   std::string& message) {
    if (h.in_size != 0 && h.count > len / h.in_size) return false;
    if (h.count * h.in_size != len) return false;
    out_.resize(h.count * h.out_size);
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
        message = result_.message;
        out_.resize(i * h.out_size);
        return true;
      }
      if (h.out_size > 0) std::memcpy(&out_[i * h.out_size], result_.output.data(), h.out_size);
    }
    return true;
  }

  bool var_chunk(PoolFn fn, const TaskHeader& h, const char* in, size_t len) {
    size_t at = 0;
    for (uint64_t i = 0; i < h.count; ++i) {
      uint64_t item_len;
      if (len - at < sizeof item_len) return false;
      std::memcpy(&item_len, in + at, sizeof item_len);
      at += sizeof item_len;
      if (item_len > len - at) return false;
      int rc = run_pool_task(fn, in + at, item_len, result_);
      at += item_len;
      const std::string& bytes = rc == 0 ? result_.output : result_.message;
      VarItemHeader ih{rc, 0, bytes.size()};
      out_.append(reinterpret_cast<const char*>(&ih), sizeof ih);
      out_.append(bytes);
    }
    return at == len;
  }

  WorkerArgs a_;
  WorkerSlotState* slot_;
  TaskCache tasks_;
  std::vector<char> in_ = std::vector<char>(64 * 1024);
  std::string out_;
  mproc_result_s result_;
};

int pool_worker_task(const mproc_args_t* args) {
  const Args& a = *args->args;
  WorkerArgs w;
  w.tasks = std::static_pointer_cast<Queue>(a.get(0, MPROC_ARG_QUEUE).object);
  w.replies = std::static_pointer_cast<Queue>(a.get(1, MPROC_ARG_QUEUE).object);
  w.slots = std::static_pointer_cast<SharedBlock>(a.get(2, MPROC_ARG_SHM).object);
  w.index = a.get(3, MPROC_ARG_I64).i64;
  w.maxtasks = a.get(4, MPROC_ARG_I64).i64;
  w.initializer = a.get(5, MPROC_ARG_STR).bytes;
  w.initializer_args = a.tail(6);
  if (w.index < 0 ||
      static_cast<uint64_t>(w.index + 1) * sizeof(WorkerSlotState) > w.slots->size())
    return 2;
  return Worker(std::move(w)).run();
}

// Registered when the library loads, so a spawned worker finds it.
const bool registered = [] {
  register_task(kPoolWorkerTask, &pool_worker_task);
  return true;
}();

}  // namespace

void ensure_pool_worker_registered() {
  if (!registered) register_task(kPoolWorkerTask, &pool_worker_task);
}

std::shared_ptr<Args> encode_worker_args(const WorkerArgs& w) {
  auto args = std::make_shared<Args>();
  args->add_object(w.tasks);
  args->add_object(w.replies);
  args->add_object(w.slots);
  args->add_i64(w.index);
  args->add_i64(w.maxtasks);
  args->add_str(w.initializer.c_str());
  if (w.initializer_args) args->append(*w.initializer_args);
  return args;
}

}  // namespace mproc::core
