/*
 * mproc/sync.h: synchronisation between processes (Python's
 * multiprocessing Lock, RLock, Semaphore, BoundedSemaphore, Event,
 * Condition and Barrier).
 *
 * Every object lives in shared memory. An uncontended acquire and release
 * (or take and give back) is an atomic instruction and no system call;
 * waiting spins for a few microseconds, then sleeps on a futex, and a
 * sleeping waiter costs no CPU. Objects are anonymous by default: they
 * reach children as arguments (mproc_args_add_lock, ...) under every start
 * method, leave nothing in /dev/shm, and are freed by the kernel when the
 * last process holding them ends, even by SIGKILL. Named objects (see
 * mproc_shared_opts_set_named) can be opened by unrelated processes until
 * mproc_unlink removes the name.
 *
 * Ownership: locks are owned by a thread. A lock whose owner thread (or
 * process) died while holding it is taken over by the next acquirer, who
 * gets MPROC_EOWNERDEAD instead of 0 -- the lock is held, and the data it
 * guards may need repair -- and the lock works normally from then on.
 * Releasing a lock the calling thread does not hold is MPROC_ESTATE.
 * Death is reported by the kernel (a held lock is on its thread's robust
 * futex list, which the kernel settles when the thread ends however it
 * ends), so it holds across pid namespaces: a live owner in a container
 * never looks dead to the host, and a dead one is recovered even if its
 * thread id is reused. Freeing the last handle of a lock the calling
 * process still holds keeps its memory mapped until the process ends.
 *
 * Timeouts are milliseconds: MPROC_FOREVER waits without limit, 0 never
 * blocks. Every handle is safe to use from any thread. Freeing a handle
 * releases this process's reference; the object lives on in others.
 */
#ifndef MPROC_SYNC_H
#define MPROC_SYNC_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Options shared by every shared object ------------------------------ */

/* Options for creating shared objects (locks, ..., shared blocks, queues);
 * NULL options mean anonymous. */
MPROC_API int mproc_shared_opts_new(mproc_shared_opts_t **out);
MPROC_API void mproc_shared_opts_free(mproc_shared_opts_t *opts);
/* Makes the object named, under an unguessable name ("mproc-" and 32 hex
 * digits) that the object's *_name function returns. */
MPROC_API int mproc_shared_opts_set_named(mproc_shared_opts_t *opts, int named);
/* Makes the object named `name`: 1 to 200 letters, digits, '-', '_', '.'.
 * Creation fails with EEXIST if the name is taken. Errors: EINVAL. */
MPROC_API int mproc_shared_opts_set_name(mproc_shared_opts_t *opts, const char *name);
/* Removes a named object's name: processes that have it open keep using
 * it; nobody can open it any more, and the name can be created anew; its
 * memory goes with the last user. On Windows a name also goes, unlinked or
 * not, when the last process that created or opened it by name frees it
 * (as every Windows kernel name does). Errors: ENOENT, EINVAL. */
MPROC_API int mproc_unlink(const char *name);

/* ---- Lock --------------------------------------------------------------- */

/* Errors: ENOMEM, EMFILE, EEXIST (named, name taken), EINVAL. */
MPROC_API int mproc_lock_new(mproc_lock_t **out, const mproc_shared_opts_t *opts);
/* Opens a named lock. Errors: ENOENT, ETYPE (the name is another kind of
 * object), ECORRUPT. */
MPROC_API int mproc_lock_open(mproc_lock_t **out, const char *name);
/* 0 or EOWNERDEAD: acquired. ETIMEDOUT: not acquired in time. ESTATE: the
 * calling thread holds it already (it would wait for itself forever; use
 * an RLock). */
MPROC_API int mproc_lock_acquire(mproc_lock_t *lock, int64_t timeout_ms);
/* As acquire with timeout 0, but EBUSY when another thread holds it. */
MPROC_API int mproc_lock_try_acquire(mproc_lock_t *lock);
/* Errors: ESTATE (the calling thread does not hold it). */
MPROC_API int mproc_lock_release(mproc_lock_t *lock);
/* *locked = 1 if some thread (anywhere) holds it. A snapshot. */
MPROC_API int mproc_lock_is_locked(const mproc_lock_t *lock, int *locked);
/* *name gets the name of a named lock, "" for an anonymous one; valid
 * while the handle lives. The other types' *_name calls are alike.
 * Errors: EINVAL. */
MPROC_API int mproc_lock_name(const mproc_lock_t *lock, const char **name);
MPROC_API void mproc_lock_free(mproc_lock_t *lock);

/* ---- RLock (re-entrant) ------------------------------------------------- */

MPROC_API int mproc_rlock_new(mproc_rlock_t **out, const mproc_shared_opts_t *opts);
MPROC_API int mproc_rlock_open(mproc_rlock_t **out, const char *name);
/* The owner may acquire again; each acquire needs its release. Returns as
 * mproc_lock_acquire, except that re-acquiring is not an error. */
MPROC_API int mproc_rlock_acquire(mproc_rlock_t *lock, int64_t timeout_ms);
MPROC_API int mproc_rlock_try_acquire(mproc_rlock_t *lock);
/* Errors: ESTATE (not held by the calling thread). */
MPROC_API int mproc_rlock_release(mproc_rlock_t *lock);
/* How many times the calling thread holds it (0: not at all). */
MPROC_API int mproc_rlock_depth(const mproc_rlock_t *lock, uint32_t *depth);
MPROC_API int mproc_rlock_name(const mproc_rlock_t *lock, const char **name);
MPROC_API void mproc_rlock_free(mproc_rlock_t *lock);

/* ---- Semaphore and BoundedSemaphore ------------------------------------- */

/* A semaphore starting at `value`. */
MPROC_API int mproc_sem_new(mproc_sem_t **out, uint32_t value,
                            const mproc_shared_opts_t *opts);
/* A bounded semaphore: releasing it above `value` is an error. */
MPROC_API int mproc_sem_new_bounded(mproc_sem_t **out, uint32_t value,
                                    const mproc_shared_opts_t *opts);
MPROC_API int mproc_sem_open(mproc_sem_t **out, const char *name);
/* Takes one unit: 0, or ETIMEDOUT. */
MPROC_API int mproc_sem_acquire(mproc_sem_t *sem, int64_t timeout_ms);
/* EBUSY when no unit is free. */
MPROC_API int mproc_sem_try_acquire(mproc_sem_t *sem);
/* Gives one unit back. Errors: ESTATE (a bounded semaphore already at its
 * bound: released too many times, Python's ValueError), EOVERFLOW. */
MPROC_API int mproc_sem_release(mproc_sem_t *sem);
/* The current value (a snapshot). */
MPROC_API int mproc_sem_value(const mproc_sem_t *sem, uint32_t *value);
MPROC_API int mproc_sem_name(const mproc_sem_t *sem, const char **name);
MPROC_API void mproc_sem_free(mproc_sem_t *sem);

/* ---- Event -------------------------------------------------------------- */

MPROC_API int mproc_event_new(mproc_event_t **out, const mproc_shared_opts_t *opts);
MPROC_API int mproc_event_open(mproc_event_t **out, const char *name);
/* Sets the flag and wakes every waiter in every process. */
MPROC_API int mproc_event_set(mproc_event_t *event);
MPROC_API int mproc_event_clear(mproc_event_t *event);
MPROC_API int mproc_event_is_set(const mproc_event_t *event, int *is_set);
/* 0 once the flag is set (at once if it is), ETIMEDOUT otherwise. */
MPROC_API int mproc_event_wait(mproc_event_t *event, int64_t timeout_ms);
MPROC_API int mproc_event_name(const mproc_event_t *event, const char **name);
MPROC_API void mproc_event_free(mproc_event_t *event);

/* ---- Condition ---------------------------------------------------------- */

/* A condition over `lock`, or (lock NULL) over an RLock of its own, as
 * Python's Condition(lock=None). A named condition needs a named lock, or
 * none. */
MPROC_API int mproc_cond_new(mproc_cond_t **out, mproc_lock_t *lock,
                             const mproc_shared_opts_t *opts);
/* A condition over a re-entrant lock. */
MPROC_API int mproc_cond_new_rlock(mproc_cond_t **out, mproc_rlock_t *lock,
                                   const mproc_shared_opts_t *opts);
/* Opens a named condition (and its lock). */
MPROC_API int mproc_cond_open(mproc_cond_t **out, const char *name);
/* Acquire and release the condition's lock, as the lock's own calls do. */
MPROC_API int mproc_cond_acquire(mproc_cond_t *cond, int64_t timeout_ms);
MPROC_API int mproc_cond_release(mproc_cond_t *cond);
/*
 * With the lock held: releases it (all levels of an RLock), sleeps until
 * notified or the timeout, and takes it back (at the same level) before
 * returning, whatever the outcome. 0: notified. ETIMEDOUT: not notified in
 * time. EOWNERDEAD: the lock came back from a dead owner, notified or not
 * (the data it guards may be half-updated: check it, as after a spurious
 * wake-up). ESTATE: the calling thread does not hold the lock.
 */
MPROC_API int mproc_cond_wait(mproc_cond_t *cond, int64_t timeout_ms);
/* With the lock held: wakes up to `n` waiters / every waiter that were
 * waiting when it was called, and returns once they have taken their
 * notifications, so a waiter that comes later (the notifier itself, say)
 * never takes one meant for them. A notified waiter that has not taken
 * its notification within 2 s (it died or is stopped) no longer holds the
 * notifier up. ESTATE if the calling thread does not hold the lock. */
MPROC_API int mproc_cond_notify(mproc_cond_t *cond, uint32_t n);
MPROC_API int mproc_cond_notify_all(mproc_cond_t *cond);
MPROC_API int mproc_cond_name(const mproc_cond_t *cond, const char **name);
MPROC_API void mproc_cond_free(mproc_cond_t *cond);

/* ---- Barrier ------------------------------------------------------------ */

/* A barrier for `parties` (at least 1) waiters. */
MPROC_API int mproc_barrier_new(mproc_barrier_t **out, uint32_t parties,
                                const mproc_shared_opts_t *opts);
MPROC_API int mproc_barrier_open(mproc_barrier_t **out, const char *name);
/*
 * Waits for all parties. 0 with *index distinct for each waiter of a round,
 * 0..parties-1 in order of arrival. EBROKEN: the barrier is broken (abort,
 * a reset while waiting, or another waiter's timeout). ETIMEDOUT: this
 * waiter's timeout ran out, which breaks the barrier for everyone (as in
 * Python, where it raises BrokenBarrierError). `index` may be NULL.
 */
MPROC_API int mproc_barrier_wait(mproc_barrier_t *barrier, int64_t timeout_ms,
                                 uint32_t *index);
/* Breaks the barrier: current and future waiters get EBROKEN. */
MPROC_API int mproc_barrier_abort(mproc_barrier_t *barrier);
/* Back to the initial state; current waiters get EBROKEN. */
MPROC_API int mproc_barrier_reset(mproc_barrier_t *barrier);
MPROC_API int mproc_barrier_parties(const mproc_barrier_t *barrier, uint32_t *parties);
MPROC_API int mproc_barrier_n_waiting(const mproc_barrier_t *barrier, uint32_t *n);
MPROC_API int mproc_barrier_broken(const mproc_barrier_t *barrier, int *broken);
MPROC_API int mproc_barrier_name(const mproc_barrier_t *barrier, const char **name);
MPROC_API void mproc_barrier_free(mproc_barrier_t *barrier);

/* ---- Passing to children ------------------------------------------------ */

/* Appends a handle to a child's argument list (see mproc/args.h); the child
 * reads it with the matching getter and gets a handle of its own (free it
 * with the type's *_free). Getters fail with ETYPE on another type. */
MPROC_API int mproc_args_add_lock(mproc_args_t *args, mproc_lock_t *lock);
MPROC_API int mproc_args_add_rlock(mproc_args_t *args, mproc_rlock_t *lock);
MPROC_API int mproc_args_add_sem(mproc_args_t *args, mproc_sem_t *sem);
MPROC_API int mproc_args_add_event(mproc_args_t *args, mproc_event_t *event);
MPROC_API int mproc_args_add_cond(mproc_args_t *args, mproc_cond_t *cond);
MPROC_API int mproc_args_add_barrier(mproc_args_t *args, mproc_barrier_t *barrier);
MPROC_API int mproc_args_get_lock(const mproc_args_t *args, size_t index, mproc_lock_t **out);
MPROC_API int mproc_args_get_rlock(const mproc_args_t *args, size_t index,
                                   mproc_rlock_t **out);
MPROC_API int mproc_args_get_sem(const mproc_args_t *args, size_t index, mproc_sem_t **out);
MPROC_API int mproc_args_get_event(const mproc_args_t *args, size_t index,
                                   mproc_event_t **out);
MPROC_API int mproc_args_get_cond(const mproc_args_t *args, size_t index, mproc_cond_t **out);
MPROC_API int mproc_args_get_barrier(const mproc_args_t *args, size_t index,
                                     mproc_barrier_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SYNC_H */
