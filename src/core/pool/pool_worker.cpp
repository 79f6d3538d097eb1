#include "core/pool/pool_worker.hpp"

#include <cstring>
#include <vector>

#include "core/pool/pool_wire.hpp"
#include "core/pool/task_runner.hpp"
#include "core/tasks.hpp"

namespace mproc::core {
namespace {

using platform::Deadline;

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
      // A malformed message: the pool is not speaking our language.
      TaskView task;
      if (!decode_task(std::string_view(in_.data(), len),
                       a_.replies->max_message() - sizeof(ReplyHeader), &task))
        return 3;
      if (static_cast<TaskKind>(task.header.kind) == TaskKind::kStop) return 0;
      if (!execute(task)) return 4;
      if (a_.maxtasks > 0 && ++done >= static_cast<uint64_t>(a_.maxtasks)) return 0;
    }
  }

 private:
  bool initialize() {
    std::string why;
    int rc = TaskRunner::initialize(a_.initializer, a_.initializer_args, &why);
    if (rc == 0) return true;
    ReplyHeader r{};
    r.kind = static_cast<uint32_t>(ReplyKind::kInitFailed);
    r.worker = static_cast<uint32_t>(a_.index);
    r.code = rc;
    r.message_len = static_cast<uint32_t>(why.size());
    Part parts[] = {{&r, sizeof r}, {why.data(), why.size()}};
    a_.replies->put_parts(parts, 2, Deadline::never());
    return false;
  }

  // Runs one task and puts its reply; false if a variable chunk turns out
  // malformed or the reply can not be put (the worker then stops).
  bool execute(const TaskView& task) {
    slot_->started_ns.store(platform::monotonic_ns(), std::memory_order_relaxed);
    slot_->running.store(task.header.id + 1, std::memory_order_seq_cst);
    ReplyHeader r{};
    r.kind = static_cast<uint32_t>(ReplyKind::kResult);
    r.worker = static_cast<uint32_t>(a_.index);
    r.id = task.header.id;
    if (!runner_.run(task, r, &message_, &out_)) return false;
    slot_->running.store(0, std::memory_order_relaxed);
    r.message_len = static_cast<uint32_t>(message_.size());
    Part parts[] = {
        {&r, sizeof r}, {message_.data(), message_.size()}, {out_.data(), out_.size()}};
    return a_.replies->put_parts(parts, 3, Deadline::never()) == 0;
  }

  WorkerArgs a_;
  WorkerSlotState* slot_;
  TaskRunner runner_;
  std::vector<char> in_ = std::vector<char>(64 * 1024);
  std::string out_;
  std::string message_;
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
