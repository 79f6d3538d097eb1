// C entry points for shared options, locks, semaphores, events,
// conditions, barriers and shared blocks.
#include <mproc/shm.h>
#include <mproc/sync.h>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "api/shared_args.hpp"

using mproc::api::shared_options;
using mproc::api::status;
using mproc::api::wrap;
using mproc::core::SharedOptions;
using mproc::platform::Deadline;

namespace mproc::api {

SharedOptions shared_options(const mproc_shared_opts_t* opts, const char* function) {
  if (opts == nullptr) return {};
  return options(opts, function);
}

void set_named(SharedOptions& o, int named) {
  o.named = named != 0;
  if (!o.named) o.name.clear();
}

void set_name(SharedOptions& o, const char* name, const char* function) {
  require(name != nullptr, function, "name is NULL");
  mproc::platform::SharedMapping::check_name(name);
  o.named = true;
  o.name = name;
}

}  // namespace mproc::api

namespace {

// Reports a semaphore release's failure (nothing was released, so the
// semaphore is still there). Out of line and cold, as lock_status.
[[gnu::cold, gnu::noinline]] int sem_release_status(int rc, const mproc::core::Semaphore& s) {
  if (rc == MPROC_ESTATE)
    return mproc::api::fail_message(
        rc, "mproc_sem_release: bounded semaphore released too many times (its bound is " +
                std::to_string(s.bound()) + ")");
  return mproc::api::status(rc);
}

// Turns a would-block outcome of a try_* call into EBUSY.
int busy_if_timed_out(int rc) { return rc == MPROC_ETIMEDOUT ? MPROC_EBUSY : rc; }

int not_held(const char* function, const char* what) {
  return mproc::api::fail_message(MPROC_ESTATE, std::string(function) + ": " + what);
}

// Reports an owned-lock result other than 0: ESTATE gets a sentence
// saying why. Out of line and cold: the calls' fast path is `rc == 0`.
[[gnu::cold, gnu::noinline]] int lock_status(int rc, const char* function, bool acquiring) {
  if (rc == MPROC_ESTATE)
    return not_held(function, acquiring ? "the calling thread already holds this lock "
                                          "(it would wait for itself; use an RLock)"
                                        : "the calling thread does not hold this lock");
  return status(rc);
}

}  // namespace

extern "C" {

// ---- Options ---------------------------------------------------------------

int mproc_shared_opts_new(mproc_shared_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_shared_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_shared_opts_free(mproc_shared_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_shared_opts_set_named(mproc_shared_opts_t* opts, int named) {
  MPROC_API_BEGIN
  mproc::api::set_named(MPROC_OPTIONS(opts), named);
  return 0;
  MPROC_API_END
}

int mproc_shared_opts_set_name(mproc_shared_opts_t* opts, const char* name) {
  MPROC_API_BEGIN
  mproc::api::set_name(MPROC_OPTIONS(opts), name, __func__);
  return 0;
  MPROC_API_END
}

int mproc_unlink(const char* name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr, "name is NULL");
  mproc::core::unlink_shared(name);
  return 0;
  MPROC_API_END
}

// ---- Lock ------------------------------------------------------------------

int mproc_lock_new(mproc_lock_t** out, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_lock_s>(mproc::core::Lock::create(shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_lock_acquire(mproc_lock_t* lock, int64_t timeout_ms) {
  MPROC_API_BEGIN
  int rc = MPROC_UNWRAP(lock).acquire(MPROC_DEADLINE(timeout_ms));
  return rc == 0 ? 0 : lock_status(rc, __func__, true);
  MPROC_API_END
}

int mproc_lock_try_acquire(mproc_lock_t* lock) {
  MPROC_API_BEGIN
  int rc = MPROC_UNWRAP(lock).acquire(Deadline::after_ms(0));
  return lock_status(busy_if_timed_out(rc), __func__, true);
  MPROC_API_END
}

int mproc_lock_release(mproc_lock_t* lock) {
  MPROC_API_BEGIN
  int rc = MPROC_HOLD_FOR_WAKE(lock)->release();
  return rc == 0 ? 0 : lock_status(rc, __func__, false);
  MPROC_API_END
}

int mproc_lock_is_locked(const mproc_lock_t* lock, int* locked) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(locked != nullptr, "locked is NULL");
  *locked = MPROC_UNWRAP(lock).locked() ? 1 : 0;
  return 0;
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(lock, mproc_lock_s, mproc::core::Lock, MPROC_ARG_LOCK)

// ---- RLock -----------------------------------------------------------------

int mproc_rlock_new(mproc_rlock_t** out, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_rlock_s>(mproc::core::RLock::create(shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_rlock_acquire(mproc_rlock_t* lock, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(lock).acquire(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_rlock_try_acquire(mproc_rlock_t* lock) {
  MPROC_API_BEGIN
  return status(busy_if_timed_out(MPROC_UNWRAP(lock).acquire(Deadline::after_ms(0))));
  MPROC_API_END
}

int mproc_rlock_release(mproc_rlock_t* lock) {
  MPROC_API_BEGIN
  return lock_status(MPROC_HOLD(lock)->release(), __func__, false);
  MPROC_API_END
}

int mproc_rlock_depth(const mproc_rlock_t* lock, uint32_t* depth) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(depth != nullptr, "depth is NULL");
  *depth = MPROC_UNWRAP(lock).depth();
  return 0;
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(rlock, mproc_rlock_s, mproc::core::RLock, MPROC_ARG_RLOCK)

// ---- Semaphore -------------------------------------------------------------

int mproc_sem_new(mproc_sem_t** out, uint32_t value, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_sem_s>(
      mproc::core::Semaphore::create(value, false, shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_sem_new_bounded(mproc_sem_t** out, uint32_t value,
                          const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_sem_s>(
      mproc::core::Semaphore::create(value, true, shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_sem_acquire(mproc_sem_t* sem, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(sem).acquire(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_sem_try_acquire(mproc_sem_t* sem) {
  MPROC_API_BEGIN
  return status(busy_if_timed_out(MPROC_UNWRAP(sem).acquire(Deadline::after_ms(0))));
  MPROC_API_END
}

int mproc_sem_release(mproc_sem_t* sem) {
  MPROC_API_BEGIN
  auto s = MPROC_HOLD_FOR_WAKE(sem);
  int rc = s->release(1);
  return rc == 0 ? 0 : sem_release_status(rc, *s);
  MPROC_API_END
}

int mproc_sem_value(const mproc_sem_t* sem, uint32_t* value) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(value != nullptr, "value is NULL");
  *value = MPROC_UNWRAP(sem).value();
  return 0;
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(sem, mproc_sem_s, mproc::core::Semaphore, MPROC_ARG_SEM)

// ---- Event -----------------------------------------------------------------

int mproc_event_new(mproc_event_t** out, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_event_s>(mproc::core::Event::create(shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_event_set(mproc_event_t* event) {
  MPROC_API_BEGIN
  MPROC_HOLD(event)->set();
  return 0;
  MPROC_API_END
}

int mproc_event_clear(mproc_event_t* event) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(event).clear();
  return 0;
  MPROC_API_END
}

int mproc_event_is_set(const mproc_event_t* event, int* is_set) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(is_set != nullptr, "is_set is NULL");
  *is_set = MPROC_UNWRAP(event).is_set() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_event_wait(mproc_event_t* event, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(event).wait(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(event, mproc_event_s, mproc::core::Event, MPROC_ARG_EVENT)

// ---- Condition -------------------------------------------------------------

int mproc_cond_new(mproc_cond_t** out, mproc_lock_t* lock, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  std::shared_ptr<mproc::core::Lock> l;
  if (lock != nullptr) l = MPROC_CHECK(lock).obj;
  *out = wrap<mproc_cond_s>(
      mproc::core::Condition::create(std::move(l), nullptr, shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_cond_new_rlock(mproc_cond_t** out, mproc_rlock_t* lock,
                         const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  auto l = MPROC_CHECK(lock).obj;
  *out = wrap<mproc_cond_s>(
      mproc::core::Condition::create(nullptr, std::move(l), shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_cond_acquire(mproc_cond_t* cond, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return lock_status(MPROC_UNWRAP(cond).acquire(MPROC_DEADLINE(timeout_ms)), __func__,
                     true);
  MPROC_API_END
}

int mproc_cond_release(mproc_cond_t* cond) {
  MPROC_API_BEGIN
  return lock_status(MPROC_HOLD(cond)->release(), __func__, false);
  MPROC_API_END
}

int mproc_cond_wait(mproc_cond_t* cond, int64_t timeout_ms) {
  MPROC_API_BEGIN
  int rc = MPROC_UNWRAP(cond).wait(MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ESTATE) return not_held(__func__, "cannot wait without holding the lock");
  return status(rc);
  MPROC_API_END
}

int mproc_cond_notify(mproc_cond_t* cond, uint32_t n) {
  MPROC_API_BEGIN
  int rc = MPROC_HOLD(cond)->notify(n);
  if (rc == MPROC_ESTATE) return not_held(__func__, "cannot notify without holding the lock");
  return status(rc);
  MPROC_API_END
}

int mproc_cond_notify_all(mproc_cond_t* cond) {
  MPROC_API_BEGIN
  int rc = MPROC_HOLD(cond)->notify_all();
  if (rc == MPROC_ESTATE) return not_held(__func__, "cannot notify without holding the lock");
  return status(rc);
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(cond, mproc_cond_s, mproc::core::Condition, MPROC_ARG_COND)

// ---- Barrier ---------------------------------------------------------------

int mproc_barrier_new(mproc_barrier_t** out, uint32_t parties,
                      const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE(parties > 0, "parties must be at least 1");
  *out = wrap<mproc_barrier_s>(
      mproc::core::Barrier::create(parties, shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_barrier_wait(mproc_barrier_t* barrier, int64_t timeout_ms, uint32_t* index) {
  MPROC_API_BEGIN
  uint32_t mine = 0;
  int rc = MPROC_HOLD(barrier)->wait(MPROC_DEADLINE(timeout_ms), &mine);
  if (rc == MPROC_ETIMEDOUT)
    return mproc::api::fail_static(rc, "barrier wait timed out; the barrier is now broken");
  if (rc == 0 && index != nullptr) *index = mine;
  return status(rc);
  MPROC_API_END
}

int mproc_barrier_abort(mproc_barrier_t* barrier) {
  MPROC_API_BEGIN
  MPROC_HOLD(barrier)->abort();
  return 0;
  MPROC_API_END
}

int mproc_barrier_reset(mproc_barrier_t* barrier) {
  MPROC_API_BEGIN
  MPROC_HOLD(barrier)->reset();
  return 0;
  MPROC_API_END
}

int mproc_barrier_parties(const mproc_barrier_t* barrier, uint32_t* parties) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(parties != nullptr, "parties is NULL");
  *parties = MPROC_UNWRAP(barrier).parties();
  return 0;
  MPROC_API_END
}

int mproc_barrier_n_waiting(const mproc_barrier_t* barrier, uint32_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  *n = MPROC_UNWRAP(barrier).n_waiting();
  return 0;
  MPROC_API_END
}

int mproc_barrier_broken(const mproc_barrier_t* barrier, int* broken) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(broken != nullptr, "broken is NULL");
  *broken = MPROC_UNWRAP(barrier).broken() ? 1 : 0;
  return 0;
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(barrier, mproc_barrier_s, mproc::core::Barrier, MPROC_ARG_BARRIER)

// ---- Shared blocks ---------------------------------------------------------

int mproc_shm_new(mproc_shm_t** out, size_t size, const mproc_shared_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE(size > 0, "size must be at least 1");
  *out = wrap<mproc_shm_s>(
      mproc::core::SharedBlock::create(size, shared_options(opts, __func__)));
  return 0;
  MPROC_API_END
}

int mproc_shm_data(const mproc_shm_t* shm, void** data) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(data != nullptr, "data is NULL");
  *data = MPROC_UNWRAP(shm).data();
  return 0;
  MPROC_API_END
}

int mproc_shm_size(const mproc_shm_t* shm, size_t* size) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(size != nullptr, "size is NULL");
  *size = MPROC_UNWRAP(shm).size();
  return 0;
  MPROC_API_END
}

int mproc_shm_lock(const mproc_shm_t* shm, mproc_lock_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_lock_s>(MPROC_UNWRAP(shm).lock());
  return 0;
  MPROC_API_END
}

MPROC_SHARED_OBJECT_API(shm, mproc_shm_s, mproc::core::SharedBlock, MPROC_ARG_SHM)

}  // extern "C"
