// The MPI pool, owner's side: the pool of mproc/pool.h whose workers are MPI
// ranks (mproc/pool_mpi.h says what users see).
//
// One driver thread per pool (the collector of PoolBase) makes every call
// into the MPI plug-in for it: it packs pending units into batches (at most
// kWindow batches on their way to each rank), sends them, polls for
// replies and for ranks lost, and completes futures and jobs. API calls only queue work and wake it, so no
// pool call ever waits on MPI. With nothing to do it sleeps in short,
// growing steps (MPI has nothing to wait on but polling, and spinning would
// take a CPU from the workers).
//
// A rank answers its units in the order it was sent them, so the driver
// matches each reply with the oldest unit the rank holds. A rank lost
// fails every unit it holds with MPROC_EWORKER; the others go on. When the
// last one is lost the pool breaks. terminate (and a break) cancels what the
// ranks were sent, stops them, and kills those still busy a second later
// where that cannot end the MPI job.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/pool/mpi/mpi_plugin.h"
#include "core/pool/pool.hpp"
#include "core/pool/pool_base.hpp"
#include "core/pool/units.hpp"

namespace mproc::core {

class MpiPool : public PoolBase, public std::enable_shared_from_this<MpiPool> {
 public:
  // On a rank that serves (a rank > 0 of an mpirun job), serves rank 0's
  // pools and ends the process: never returns there.
  static std::shared_ptr<PoolBase> create(const PoolOptions& options);

  MpiPool(const mproc_mpi_plugin_t& plugin, mproc_mpi_link_t* link, uint64_t number,
          std::string begin);
  ~MpiPool() override;

  std::shared_ptr<Future> apply_async(const TaskRef& task, const void* in, size_t len,
                                      const TaskOptions& options) override;
  int map(const TaskRef& task, const void* inputs, size_t in_size, size_t count, void* outputs,
          size_t out_size, size_t chunksize, const platform::Deadline& deadline,
          uint64_t* failed, std::string* message) override;
  std::shared_ptr<ImapJob> imap(const TaskRef& task, const void* const* inputs,
                                const size_t* lens, size_t count, size_t chunksize,
                                bool ordered) override;
  void close() override;
  void terminate() override;
  size_t processes() const noexcept override;
  std::vector<int64_t> worker_pids() override;
  mproc_pool_backend_t backend() const noexcept override { return MPROC_POOL_BACKEND_MPI; }

 private:
  struct Rank {
    int64_t pid = 0;
    std::string name;  // "rank 2 on host-a"
    bool alive = true;
    bool said_bye = false;
    bool stop_sent = false;
    uint64_t sent = 0;  // units ever sent (the next unit's id)
    std::deque<std::unique_ptr<WorkUnit>> inflight;
    std::deque<size_t> batches;  // units still unanswered, per batch in flight
  };
  struct Outgoing {
    size_t rank;
    std::string message;
  };
  void start();
  void resolve(const TaskRef& task, TaskHeader& header, std::string& name) const;
  void submit(UnitList units);

  // The driver thread.
  void drive();
  // What to send now (batches, stops); true once the pool is over
  // and every rank has left or is lost.
  bool plan_locked(std::vector<Outgoing>& out);
  void batch_locked(Rank& rank, size_t index, size_t units, std::vector<Outgoing>& out);
  void on_message(size_t index, std::string_view msg, AfterList& after);
  void on_replies(size_t index, std::string_view body, AfterList& after);
  void on_lost(size_t index, const std::string& why, AfterList& after);
  // Breaks the pool: every unit not done fails with `code` and `why`.
  void break_locked(int code, std::string why, AfterList& after);
  UnitList take_all_locked();
  size_t alive_locked() const;
  bool any_work_locked() const;
  void wake_driver_locked();

  const mproc_mpi_plugin_t& plugin_;
  mproc_mpi_link_t* link_;
  const uint64_t number_;    // this pool's number (cancel)
  const std::string begin_;  // the kBegin message every rank gets first

  std::condition_variable wake_;
  bool driver_asleep_ = false;
  bool kicked_ = false;
  bool stopping_sent_ = false;  // terminate/break: the kill or the cancel went out
  std::deque<std::unique_ptr<WorkUnit>> pending_;
  std::vector<Rank> ranks_;
  int64_t unit_ns_ = 0;  // how long a unit takes to run (0: not known yet)
};

}  // namespace mproc::core
