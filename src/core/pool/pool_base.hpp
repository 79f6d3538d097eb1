// What every pool backend does, behind the one mproc_pool_t: the local pool
// of worker processes (pool.hpp) and the pool of MPI ranks
// (mpi/mpi_pool.hpp). The C API sees only this. It also keeps what both
// keep alike: the pool's state under its lock, and the thread that
// completes its work (the collector), which join waits for.
#pragma once

#include <mproc/pool_mpi.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/pool/jobs.hpp"
#include "platform/deadline.hpp"

namespace mproc::core {

struct PoolOptions;
struct TaskOptions;
struct TaskRef;

class PoolBase {
 public:
  // Makes the pool `options` ask for, on the backend they name (or that
  // MPROC_POOL_BACKEND names, when they leave it to the environment).
  static std::shared_ptr<PoolBase> create(const PoolOptions& options);
  // The backend a pool given `requested` uses: LOCAL or MPI. Throws EINVAL
  // for a value of MPROC_POOL_BACKEND that names neither.
  static mproc_pool_backend_t resolve_backend(mproc_pool_backend_t requested);

  virtual ~PoolBase() = default;

  virtual std::shared_ptr<Future> apply_async(const TaskRef& task, const void* in, size_t len,
                                              const TaskOptions& options) = 0;
  // 0, the first failure's code (*failed, *message), or MPROC_ETIMEDOUT.
  virtual int map(const TaskRef& task, const void* inputs, size_t in_size, size_t count,
                  void* outputs, size_t out_size, size_t chunksize,
                  const platform::Deadline& deadline, uint64_t* failed,
                  std::string* message) = 0;
  virtual std::shared_ptr<ImapJob> imap(const TaskRef& task, const void* const* inputs,
                                        const size_t* lens, size_t count, size_t chunksize,
                                        bool ordered) = 0;
  virtual void close() = 0;
  virtual void terminate() = 0;
  // What freeing the pool does first: terminate, unless it was closed (a
  // closed pool finishes its work).
  void terminate_unless_closed();
  // 0, MPROC_ETIMEDOUT, or MPROC_ESTATE (neither closed nor terminated).
  int join(const platform::Deadline& deadline);
  virtual size_t processes() const noexcept = 0;
  virtual std::vector<int64_t> worker_pids() = 0;
  virtual mproc_pool_backend_t backend() const noexcept { return MPROC_POOL_BACKEND_LOCAL; }

 protected:
  enum class State { kRunning, kClosed, kStopping, kTerminated, kBroken };

  // Throws unless the pool takes new work: EBROKEN (with why), ESTATE.
  void check_open_locked() const;

  mutable std::mutex mu_;
  State state_ = State::kRunning;
  std::string broken_why_;
  // The collector runs detached, holding a reference to the pool until the
  // pool is over; join() waits for it through this flag.
  std::thread::id collector_id_;
  bool collector_done_ = false;
  std::condition_variable collector_done_cv_;
};

}  // namespace mproc::core
