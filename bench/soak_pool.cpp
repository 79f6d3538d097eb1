// Pool soak: a pool of 4 workers kept busy with tasks of 0.2 to 2 ms of
// work each; the parent SIGKILLs a worker at a random moment, again and
// again, until the set number of kills have landed in the middle of a task.
//
// Each task notes in shared memory which process started it and, once its
// work is done, that it finished. After the run every task's outcome must
// agree with that record:
//  - a task started by a worker killed before it finished ("killed
//    mid-task") fails with MPROC_EWORKER;
//  - a task whose worker was killed after its body finished but before its
//    result left may fail with EWORKER too (the worker still held it);
//  - a killed worker fails at most one task, and a task no worker started
//    fails only if some kill landed between a worker taking it and starting
//    it (a kill that found no task mid-way);
//  - every other task succeeds with the correct result;
//  - every task ends within the bound (no hang).
#include <mproc/mproc.hpp>

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "soak.hpp"

namespace {

constexpr size_t kWorkers = 4;
constexpr size_t kInflightPerWorker = 4;
constexpr size_t kMaxTasks = size_t{1} << 20;

struct TaskNotes {
  std::atomic<int32_t> started_by[kMaxTasks];  // pid of the worker that began it
  std::atomic<uint8_t> finished[kMaxTasks];    // its work was done
};

struct TaskInput {
  uint64_t id;
  uint32_t work_us;
  uint32_t salt;
};

uint64_t expected_output(const TaskInput& in) {
  uint64_t h = in.id * 0x9e3779b97f4a7c15ull ^ in.salt;
  for (int i = 0; i < 64; ++i) h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
  return h;
}

// The notes, mapped in each worker by the pool's initializer.
std::unique_ptr<mproc::SharedBlock> g_notes_block;
TaskNotes* g_notes = nullptr;

}  // namespace

// The pool's initializer: keeps the notes block (args: the block).
MPROC_TASK(soak_pool_init) {
  g_notes_block = std::make_unique<mproc::SharedBlock>(mproc::ArgsView(args).shm(0));
  g_notes = &g_notes_block->as<TaskNotes>();
  return 0;
}

// Spins for the task's work time, then answers.
MPROC_POOL_TASK(soak_pool_work) {
  TaskInput task;
  if (len != sizeof task || g_notes == nullptr)
    return mproc_result_error(out, MPROC_EINVAL, "not a soak task");
  std::memcpy(&task, in, sizeof task);
  if (task.id >= kMaxTasks) return mproc_result_error(out, MPROC_ERANGE, "task id");
  g_notes->started_by[task.id].store(static_cast<int32_t>(getpid()));
  const int64_t until = soak::now_ns() + int64_t{task.work_us} * 1000;
  uint64_t result = 0;
  while (soak::now_ns() < until) result = expected_output(task);
  result = expected_output(task);
  g_notes->finished[task.id].store(1);
  return mproc_result_set(out, &result, sizeof result);
}

namespace soak {
namespace {

struct Pending {
  TaskInput input;
  std::unique_ptr<mproc_future_t, void (*)(mproc_future_t*)> future;
};

// Opens a descriptor that becomes readable when `pid` ends (it is our
// child: the pool reaps it, not us).
int pidfd_of(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

class PoolSoak {
 public:
  explicit PoolSoak(const Settings& s) : s_(s), rng_(s.seed ^ 0x9001), block_(sizeof(TaskNotes)),
                                          notes_(block_.as<TaskNotes>()) {}

  Report run() {
    Report r("pool_kills");
    const int64_t target = s_.count(1000);
    mproc_pool_t* pool = make_pool();
    const int64_t started = now_ns();
    int64_t kills = 0, mid_task = 0, hangs = 0;
    while (mid_task < target && kills < 20 * target && next_id_ < kMaxTasks - 64) {
      top_up(pool);
      harvest(r, false, hangs);
      int victim = pick_worker(pool);
      // A worker killed before may still be listed until the pool replaced
      // it (and signalling its zombie would "succeed"): every kill counted
      // is of a live worker.
      if (victim <= 0 || killed_.count(victim) != 0) continue;
      int pidfd = pidfd_of(victim);
      if (pidfd < 0) continue;  // already gone: the pool is replacing it
      rng_.pause_up_to_us(1500);
      if (kill(victim, SIGKILL) != 0) {
        close(pidfd);
        continue;
      }
      pollfd p{pidfd, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(s_.bound_ms));
      close(pidfd);
      if (ready != 1) {
        r.fail("a SIGKILLed worker did not end within the bound");
        break;
      }
      ++kills;
      killed_.insert(victim);
      // Its task, if it was in the middle of one: the record is final now.
      for (const auto& t : inflight_) {
        uint64_t id = t.input.id;
        if (notes_.started_by[id].load() == victim && notes_.finished[id].load() == 0) {
          killed_mid_task_[victim] = id;
          ++mid_task;
          break;
        }
      }
    }
    harvest(r, true, hangs);
    mproc_pool_close(pool);
    if (mproc_pool_join(pool, s_.bound_ms) != 0) {
      ++hangs;
      r.fail("the pool did not finish within the bound after close");
    }
    mproc_pool_free(pool);
    check(r, target, kills, mid_task, hangs);
    r.figure("seconds", (now_ns() - started) / 1e9);
    return r;
  }

 private:
  mproc_pool_t* make_pool() {
    mproc_pool_opts_t* opts = nullptr;
    mproc_args_t* init = (mproc::Args() << block_).release();
    mproc_pool_t* pool = nullptr;
    if (mproc_pool_opts_new(&opts) != 0 || mproc_pool_opts_set_processes(opts, kWorkers) != 0 ||
        mproc_pool_opts_set_start_method(opts, MPROC_START_FORK) != 0 ||
        mproc_pool_opts_set_initializer(opts, "soak_pool_init", init) != 0 ||
        mproc_pool_new(&pool, opts) != 0)
      die("a pool");
    mproc_args_free(init);
    mproc_pool_opts_free(opts);
    return pool;
  }

  void top_up(mproc_pool_t* pool) {
    while (inflight_.size() < kWorkers * kInflightPerWorker) {
      TaskInput in{next_id_++, static_cast<uint32_t>(200 + rng_.below(1800)),
                   static_cast<uint32_t>(rng_.below(UINT32_MAX))};
      mproc_future_t* f = nullptr;
      if (mproc_pool_apply_async(pool, "soak_pool_work", &in, sizeof in, nullptr, &f) != 0)
        die("submitting a task");
      inflight_.push_back({in, {f, mproc_future_free}});
    }
  }

  // Collects finished tasks from the front; with `all`, waits for every one.
  void harvest(Report& r, bool all, int64_t& hangs) {
    while (!inflight_.empty()) {
      Pending& t = inflight_.front();
      int ready = 0;
      if (all) {
        if (mproc_future_wait(t.future.get(), s_.bound_ms) != 0) {
          ++hangs;
          r.fail("task " + std::to_string(t.input.id) + " did not end within the bound");
          inflight_.pop_front();
          continue;
        }
      } else if (mproc_future_ready(t.future.get(), &ready) != 0 || !ready) {
        return;
      }
      mproc_msg_t* m = nullptr;
      int rc = mproc_future_result(t.future.get(), &m, 0);
      Outcome o{rc, false};
      if (rc == 0) {
        mproc::Message msg(m);
        uint64_t want = expected_output(t.input);
        o.correct = msg.size() == sizeof want && std::memcmp(msg.data(), &want, sizeof want) == 0;
      }
      outcomes_[t.input.id] = o;
      inflight_.pop_front();
    }
  }

  // A worker, preferably one in the middle of a task (the kill still lands
  // at a random point: the pause comes after the choice).
  int pick_worker(mproc_pool_t* pool) {
    int64_t pids[kWorkers];
    size_t n = 0;
    if (mproc_pool_worker_pids(pool, pids, kWorkers, &n) != 0 || n == 0) return -1;
    n = std::min(n, kWorkers);
    std::vector<int> busy;
    for (const auto& t : inflight_) {
      int32_t by = notes_.started_by[t.input.id].load();
      if (by != 0 && notes_.finished[t.input.id].load() == 0 && killed_.count(by) == 0 &&
          std::find(pids, pids + n, by) != pids + n)
        busy.push_back(by);
    }
    if (!busy.empty()) return busy[rng_.below(busy.size())];
    return static_cast<int>(pids[rng_.below(n)]);
  }

  void check(Report& r, int64_t target, int64_t kills, int64_t mid_task, int64_t hangs) {
    int64_t wrong = 0, other_codes = 0, unexplained = 0, killed_task_not_failed = 0,
            failed_unstarted = 0, failed_after_finishing = 0, failed = 0, succeeded = 0;
    std::map<int32_t, int> failures_by_worker;
    for (const auto& [id, o] : outcomes_) {
      int32_t by = notes_.started_by[id].load();
      bool finished = notes_.finished[id].load() != 0;
      if (o.rc == 0) {
        ++succeeded;
        wrong += !o.correct;
        continue;
      }
      ++failed;
      if (o.rc != MPROC_EWORKER) {
        ++other_codes;
        r.fail("task " + std::to_string(id) + " failed with " + mproc_err_name(o.rc));
      } else if (by == 0) {
        ++failed_unstarted;  // taken by a worker killed before it began
      } else if (killed_.count(by) == 0) {
        ++unexplained;
        r.fail("task " + std::to_string(id) + " failed with EWORKER, its worker was not killed");
      } else if (++failures_by_worker[by] > 1) {
        ++unexplained;
        r.fail("a killed worker failed more than one task");
      } else if (finished) {
        ++failed_after_finishing;
      }
    }
    for (const auto& [pid, id] : killed_mid_task_) {
      auto it = outcomes_.find(id);
      if (it == outcomes_.end() || it->second.rc != MPROC_EWORKER) ++killed_task_not_failed;
    }
    // A kill that found no task mid-way may have caught its worker holding
    // a task it had taken and not yet begun: no more of those than such kills.
    if (failed_unstarted > kills - mid_task) {
      unexplained += failed_unstarted - (kills - mid_task);
      r.fail("more unstarted tasks failed than kills that found no task running");
    }
    r.must_equal("workers_killed_mid_task", mid_task, target);
    r.figure("kills", static_cast<double>(kills));
    r.figure("tasks", static_cast<double>(outcomes_.size()));
    r.figure("tasks_succeeded", static_cast<double>(succeeded));
    r.figure("tasks_failed", static_cast<double>(failed));
    r.must_be_zero("killed_tasks_not_failed_with_eworker", killed_task_not_failed);
    r.figure("failed_after_body_before_reply", static_cast<double>(failed_after_finishing));
    r.figure("failed_taken_not_begun", static_cast<double>(failed_unstarted));
    r.must_be_zero("other_tasks_failed", unexplained);
    r.must_be_zero("failed_with_other_code", other_codes);
    r.must_be_zero("wrong_results", wrong);
    r.must_be_zero("hangs", hangs);
  }

  struct Outcome {
    int rc;
    bool correct;
  };

  const Settings& s_;
  Rng rng_;
  mproc::SharedBlock block_;
  TaskNotes& notes_;
  uint64_t next_id_ = 0;
  std::deque<Pending> inflight_;
  std::map<uint64_t, Outcome> outcomes_;
  std::set<int32_t> killed_;
  std::map<int32_t, uint64_t> killed_mid_task_;
};

}  // namespace

Report pool_kills(const Settings& s) { return PoolSoak(s).run(); }

}  // namespace soak
