#include "core/pool/pool_base.hpp"

#include <cstdlib>
#include <cstring>

#include "core/pool/mpi/mpi_pool.hpp"
#include "core/pool/pool.hpp"
#include "platform/error.hpp"

namespace mproc::core {

mproc_pool_backend_t PoolBase::resolve_backend(mproc_pool_backend_t requested) {
  if (requested != MPROC_POOL_BACKEND_DEFAULT) return requested;
  // The environment's choice lets a program run unchanged on either.
  const char* env = std::getenv("MPROC_POOL_BACKEND");
  if (env == nullptr || env[0] == '\0' || std::strcmp(env, "local") == 0)
    return MPROC_POOL_BACKEND_LOCAL;
  if (std::strcmp(env, "mpi") == 0) return MPROC_POOL_BACKEND_MPI;
  fail(MPROC_EINVAL, std::string("pool: MPROC_POOL_BACKEND is '") + env +
                         "'; it names the backend of pools that do not choose one: local or mpi");
}

std::shared_ptr<PoolBase> PoolBase::create(const PoolOptions& options) {
  if (resolve_backend(options.backend) == MPROC_POOL_BACKEND_MPI) return MpiPool::create(options);
  return Pool::create(options);
}

void PoolBase::check_open_locked() const {
  switch (state_) {
    case State::kRunning:
      return;
    case State::kBroken:
      fail(MPROC_EBROKEN, "pool is broken: " + broken_why_);
    case State::kTerminated:
      fail(MPROC_ESTATE, "pool was terminated");
    default:
      fail(MPROC_ESTATE, "pool is closed");
  }
}

void PoolBase::terminate_unless_closed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kClosed || state_ == State::kStopping) return;
  }
  terminate();
}

int PoolBase::join(const platform::Deadline& deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (state_ == State::kRunning)
    fail(MPROC_ESTATE, "pool: join needs close or terminate first");
  if (std::this_thread::get_id() == collector_id_)
    fail(MPROC_ESTATE, "pool: join from one of its own callbacks would wait for itself");
  return wait_until(collector_done_cv_, lock, deadline, [this] { return collector_done_; })
             ? 0
             : MPROC_ETIMEDOUT;
}

}  // namespace mproc::core
