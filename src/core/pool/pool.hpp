// The pool: worker processes fed through a task queue per worker slot, with
// one reply queue read by the pool's collector thread.
//
// Dispatch. A submitted unit (a task, or a chunk of a map) waits in the
// pending list until a worker slot has room (a slot takes up to 128 tasks,
// or two chunks, at a time), then is put into that slot's queue; the slot
// remembers it as in flight. Replies come back in order per slot.
//
// Failure. A slot's queue outlives the worker process using it, so a
// worker that dies (or exits after maxtasksperchild) is replaced by a new
// process reading the same queue: nothing queued for it is lost. What the
// dead worker had taken and not answered -- at most one unit, since a
// worker answers before it takes the next -- is known exactly from the
// queue's own count of messages taken, and that unit alone fails.
//
// A worker's exit reaches the collector as a notice in the reply queue,
// after the worker's own replies. Should that put fail, the notice is kept
// aside and handled the next time the collector finds the queue empty:
// either way the death is handled, and after the worker's last reply.
// Settling a dead worker's queue and starting its replacement can take
// seconds, so they run on a thread of their own, without the pool lock:
// other workers' results and every pool call go on meanwhile.
#pragma once

#include <mproc/pool.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/args.hpp"
#include "core/pool/jobs.hpp"
#include "core/pool/pool_base.hpp"
#include "core/pool/pool_tasks.hpp"
#include "core/pool/pool_wire.hpp"
#include "core/pool/units.hpp"
#include "core/launch/process.hpp"
#include "core/queue/queue.hpp"
#include "core/sync/shared_block.hpp"

namespace mproc::core {

struct PoolOptions {
  size_t processes = 0;
  mproc_start_method_t method = MPROC_START_DEFAULT;
  std::string initializer;
  std::shared_ptr<Args> initializer_args;
  size_t maxtasks = 0;
  mproc_pool_backend_t backend = MPROC_POOL_BACKEND_DEFAULT;
};

struct TaskOptions {
  int64_t timeout_ms = -1;
  Future::Callback callback;
};

// A task named by registration, or (fork only) by its function.
struct TaskRef {
  std::string name;
  PoolFn fn = nullptr;
};

class Pool : public PoolBase, public std::enable_shared_from_this<Pool> {
 public:
  static std::shared_ptr<Pool> create(const PoolOptions& options);
  ~Pool();

  std::shared_ptr<Future> apply_async(const TaskRef& task, const void* in, size_t len,
                                      const TaskOptions& options);
  // 0, the first failure's code (*failed, *message), or MPROC_ETIMEDOUT.
  int map(const TaskRef& task, const void* inputs, size_t in_size, size_t count, void* outputs,
          size_t out_size, size_t chunksize, const platform::Deadline& deadline,
          uint64_t* failed, std::string* message);
  std::shared_ptr<ImapJob> imap(const TaskRef& task, const void* const* inputs,
                                const size_t* lens, size_t count, size_t chunksize,
                                bool ordered);

  void close();
  void terminate();
  size_t processes() const noexcept;
  std::vector<int64_t> worker_pids();

  // The bookkeeping as it stands, read under the pool lock: for the tests
  // of it (tests/cpp/test_pool_bookkeeping.cpp).
  struct SlotView {
    uint64_t generation;  // workers started in this slot
    uint64_t sent;        // units ever put into its task queue
    size_t inflight;      // of those, not answered
    uint32_t load;        // their weight
    bool running;
    bool repairing;
  };
  struct View {
    std::vector<SlotView> slots;
    size_t pending;         // units waiting for room in a slot
    size_t timed;           // in-flight units with a timeout
    size_t missed_notices;  // exit notices kept aside (not yet taken up)
  };
  View view();
  // The reply queue, for a test to post what the reactor would.
  Queue& replies_for_test() noexcept { return *replies_; }

  Pool(const PoolOptions& options, size_t processes);

 private:
  using Unit = WorkUnit;  // units.hpp, shared with the MPI pool
  struct Worker;
  struct ExitNotices;
  // Units a repair failed, for the collector to complete (callbacks run
  // on the collector thread only).
  struct Failure {
    std::vector<std::unique_ptr<Unit>> units;
    int code;
    std::string why;
  };
  void start();
  void resolve(const TaskRef& task, TaskHeader& header, std::string& name);
  void submit(std::vector<std::unique_ptr<Unit>> units);
  void dispatch_locked();
  // Starts the process for worker slot `index` (slow: no lock held).
  std::shared_ptr<Process> launch_worker(size_t index, uint64_t number, bool replacing);
  // Makes `process` the slot's worker and watches for its exit.
  void publish_worker_locked(size_t index, std::shared_ptr<Process> process);
  void collect();
  void collect_replies();
  void on_reply(const ReplyView& reply, std::vector<std::function<void()>>& after);
  // On the collector: the worker of generation `generation` in slot
  // `index` ended; hands the slot to a repair thread.
  void on_worker_exit(size_t index, uint64_t generation);
  // On the slot's repair thread: fails the unit the dead worker held and
  // starts its replacement (or breaks the pool if it cannot start).
  void repair(size_t index);
  // Completes, on the collector, the units repairs failed.
  void complete_failures(std::vector<std::function<void()>>& after);
  void check_timeouts_locked();
  void maybe_finish_locked();
  // Takes every unit not done (for terminate or a broken pool).
  std::vector<std::unique_ptr<Unit>> take_all_locked();
  // Breaks the pool: every unit not done fails with `code` and `why`, and
  // the workers are killed. Nothing if it is already broken or terminated.
  void break_down(std::string why, int code, std::vector<std::function<void()>>& after);
  // SIGKILL to every running worker (the pool is terminated or broken).
  void kill_workers_locked() noexcept;
  void wake_collector();
  bool any_work_locked() const;

  const PoolOptions options_;
  const mproc_start_method_t method_;
  std::shared_ptr<Queue> replies_;
  std::shared_ptr<SharedBlock> slots_;
  std::shared_ptr<ExitNotices> notices_;

  std::deque<std::unique_ptr<Unit>> pending_;
  std::vector<Worker> workers_;
  std::vector<Failure> failures_;
  size_t timed_units_ = 0;  // in-flight units with a timeout
  uint64_t workers_started_ = 0;
};

}  // namespace mproc::core
