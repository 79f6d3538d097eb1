/**
 * @file mproc/sync.h
 * @brief Synchronisation between processes (Python's multiprocessing Lock,
 * RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier).
 *
 * Every object lives in shared memory. An uncontended acquire and release
 * (or take and give back) is an atomic instruction and no system call;
 * waiting spins for a few microseconds, then sleeps on a futex, and a
 * sleeping waiter costs no CPU. Objects are anonymous by default: they
 * reach children as arguments (mproc_args_add_lock, ...) under every start
 * method, leave nothing in /dev/shm, and are freed by the kernel when the
 * last process holding them ends, even by SIGKILL. Named objects (see
 * mproc_shared_opts_set_named) can be opened by unrelated processes until
 * mproc_unlink removes the name. No call here starts a thread or touches a
 * signal.
 *
 * Ownership: locks are owned by a thread. A lock whose owner thread (or
 * process) died while holding it is taken over by the next acquirer, who
 * gets MPROC_EOWNERDEAD instead of 0 -- **the lock is held**, and the data
 * it guards may need repair -- and the lock works normally from then on.
 * MPROC_EOWNERDEAD is the one negative code that means success (the idiom
 * is at the top of mproc/common.h): test `rc == 0 || rc == MPROC_EOWNERDEAD`
 * for "acquired", never `rc < 0` for "failed".
 * Releasing a lock the calling thread does not hold is MPROC_ESTATE.
 * Death is reported by the kernel (a held lock is on its thread's robust
 * futex list, which the kernel settles when the thread ends however it
 * ends), so it holds across pid namespaces: a live owner in a container
 * never looks dead to the host, and a dead one is recovered even if its
 * thread id is reused. Freeing the last handle of a lock the calling
 * process still holds keeps its memory mapped until the process ends.
 *
 * Errors every call here may give besides those listed: MPROC_EINVAL (a
 * NULL, freed or wrong-type handle or out-parameter, a bad timeout) and,
 * for the calls that create or open, MPROC_ENOMEM, MPROC_EMFILE,
 * MPROC_ENOSPC (/dev/shm full). A call on an object whose shared memory
 * another process damaged fails with MPROC_ECORRUPT rather than crash.
 *
 * Timeouts are milliseconds: MPROC_FOREVER waits without limit, 0 never
 * blocks; blocking calls restart on EINTR and keep their deadline. Every
 * handle is safe to use from any thread. Freeing a handle releases this
 * process's reference; the object lives on in others.
 */
#ifndef MPROC_SYNC_H
#define MPROC_SYNC_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Options shared by every shared object ------------------------------ */

/**
 * Creates options for creating shared objects (locks, ..., shared blocks,
 * queues); NULL options mean anonymous. Not to be changed by one thread
 * while another uses them.
 * @param out receives the options, the caller's: free with
 *            mproc_shared_opts_free.
 * @return 0, or MPROC_EINVAL (out NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_shared_opts_new(mproc_shared_opts_t **out);
/**
 * Frees options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_shared_opts_free(mproc_shared_opts_t *opts);
/**
 * Makes the object named, under an unguessable name ("mproc-" and 32 hex
 * digits) that the object's *_name function returns. Named objects are
 * created mode 0600.
 * @param opts the options.
 * @param named 1 for named, 0 for anonymous.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_shared_opts_set_named(mproc_shared_opts_t *opts, int named);
/**
 * Makes the object named `name`. Creation fails with MPROC_EEXIST if the
 * name is taken.
 * @param opts the options.
 * @param name 1 to 200 letters, digits, '-', '_', '.'; copied.
 * @return 0, or MPROC_EINVAL (a name breaking those rules, NULL).
 */
MPROC_API int mproc_shared_opts_set_name(mproc_shared_opts_t *opts, const char *name);
/**
 * Removes a named object's name: processes that have it open keep using
 * it; nobody can open it any more, and the name can be created anew; its
 * memory goes with the last user. On Windows a name also goes, unlinked or
 * not, when the last process that created or opened it by name frees it
 * (as every Windows kernel name does).
 * @param name the name.
 * @return 0, or MPROC_ENOENT (no such name), MPROC_EACCES, MPROC_EINVAL.
 */
MPROC_API int mproc_unlink(const char *name);

/* ---- Lock --------------------------------------------------------------- */

/**
 * Creates a lock, not held.
 * @param out receives it, the caller's: free with mproc_lock_free.
 * @param opts options, or NULL for anonymous.
 * @return 0, or MPROC_EEXIST (named, name taken), MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC, MPROC_EINVAL.
 */
MPROC_API int mproc_lock_new(mproc_lock_t **out, const mproc_shared_opts_t *opts);
/**
 * Opens a named lock another process created.
 * @param out receives a handle, the caller's: free with mproc_lock_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_lock_open(mproc_lock_t **out, const char *name);
/**
 * Acquires the lock, waiting at most `timeout_ms`.
 * @param lock the lock.
 * @param timeout_ms how long to wait.
 * @return 0 or MPROC_EOWNERDEAD: acquired (EOWNERDEAD: from an owner that
 *         died; repair the data, see the top of this file).
 *         MPROC_ETIMEDOUT: not acquired in time. MPROC_ESTATE: the calling
 *         thread holds it already (it would wait for itself forever; use an
 *         RLock). MPROC_EINVAL, MPROC_ECORRUPT.
 */
MPROC_API int mproc_lock_acquire(mproc_lock_t *lock, int64_t timeout_ms);
/**
 * As mproc_lock_acquire with timeout 0, but MPROC_EBUSY when another
 * thread holds it. Never blocks.
 * @param lock the lock.
 * @return 0 or MPROC_EOWNERDEAD (acquired), MPROC_EBUSY, MPROC_ESTATE,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_lock_try_acquire(mproc_lock_t *lock);
/**
 * Releases the lock, waking one waiter. Never blocks.
 * @param lock the lock.
 * @return 0, or MPROC_ESTATE (the calling thread does not hold it),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_lock_release(mproc_lock_t *lock);
/**
 * Whether some thread (anywhere) holds the lock. A snapshot.
 * @param lock the lock.
 * @param locked receives 1 if held, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_lock_is_locked(const mproc_lock_t *lock, int *locked);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param lock the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_lock_name(const mproc_lock_t *lock, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param lock the handle, or NULL.
 */
MPROC_API void mproc_lock_free(mproc_lock_t *lock);

/* ---- RLock (re-entrant) ------------------------------------------------- */

/**
 * Creates a re-entrant lock, not held.
 * @param out receives it, the caller's: free with mproc_rlock_free.
 * @param opts options, or NULL for anonymous.
 * @return 0, or MPROC_EEXIST (named, name taken), MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC, MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_new(mproc_rlock_t **out, const mproc_shared_opts_t *opts);
/**
 * Opens a named re-entrant lock another process created.
 * @param out receives a handle, the caller's: free with mproc_rlock_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_rlock_open(mproc_rlock_t **out, const char *name);
/**
 * Acquires the lock; the owner may acquire again, and each acquire needs
 * its release. Waits at most `timeout_ms`.
 * @param lock the lock.
 * @param timeout_ms how long to wait.
 * @return 0 or MPROC_EOWNERDEAD (acquired; see mproc_lock_acquire),
 *         MPROC_ETIMEDOUT, MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_acquire(mproc_rlock_t *lock, int64_t timeout_ms);
/**
 * As mproc_rlock_acquire with timeout 0, but MPROC_EBUSY when another
 * thread holds it. Never blocks.
 * @param lock the lock.
 * @return 0 or MPROC_EOWNERDEAD (acquired), MPROC_EBUSY, MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_try_acquire(mproc_rlock_t *lock);
/**
 * Releases one level; the last release frees the lock and wakes a waiter.
 * @param lock the lock.
 * @return 0, or MPROC_ESTATE (not held by the calling thread),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_release(mproc_rlock_t *lock);
/**
 * How many times the calling thread holds the lock.
 * @param lock the lock.
 * @param depth receives the count (0: not at all).
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_depth(const mproc_rlock_t *lock, uint32_t *depth);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param lock the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_rlock_name(const mproc_rlock_t *lock, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param lock the handle, or NULL.
 */
MPROC_API void mproc_rlock_free(mproc_rlock_t *lock);

/* ---- Semaphore and BoundedSemaphore ------------------------------------- */

/**
 * Creates a semaphore. Semaphores have no owner: any thread may release.
 * @param out receives the semaphore, the caller's: free with
 *            mproc_sem_free.
 * @param value its initial value.
 * @param opts options, or NULL for anonymous.
 * @return 0, or MPROC_EEXIST (named, name taken), MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC, MPROC_EINVAL.
 */
MPROC_API int mproc_sem_new(mproc_sem_t **out, uint32_t value,
                            const mproc_shared_opts_t *opts);
/**
 * Creates a bounded semaphore: releasing it above its initial value is an
 * error (Python's BoundedSemaphore).
 * @param out receives the semaphore, the caller's.
 * @param value its initial value, also its bound.
 * @param opts options, or NULL for anonymous.
 * @return as mproc_sem_new.
 */
MPROC_API int mproc_sem_new_bounded(mproc_sem_t **out, uint32_t value,
                                    const mproc_shared_opts_t *opts);
/**
 * Opens a named semaphore another process created.
 * @param out receives a handle, the caller's: free with mproc_sem_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_sem_open(mproc_sem_t **out, const char *name);
/**
 * Takes one unit, waiting at most `timeout_ms` for one.
 * @param sem the semaphore.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETIMEDOUT, MPROC_EINVAL.
 */
MPROC_API int mproc_sem_acquire(mproc_sem_t *sem, int64_t timeout_ms);
/**
 * Takes one unit if one is free. Never blocks.
 * @param sem the semaphore.
 * @return 0, or MPROC_EBUSY (no unit free), MPROC_EINVAL.
 */
MPROC_API int mproc_sem_try_acquire(mproc_sem_t *sem);
/**
 * Gives one unit back, waking a waiter. Never blocks.
 * @param sem the semaphore.
 * @return 0, or MPROC_ESTATE (a bounded semaphore already at its bound:
 *         released too many times, Python's ValueError), MPROC_EOVERFLOW
 *         (the value would pass UINT32_MAX), MPROC_EINVAL.
 */
MPROC_API int mproc_sem_release(mproc_sem_t *sem);
/**
 * The current value. A snapshot.
 * @param sem the semaphore.
 * @param value receives the value.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_sem_value(const mproc_sem_t *sem, uint32_t *value);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param sem the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_sem_name(const mproc_sem_t *sem, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param sem the handle, or NULL.
 */
MPROC_API void mproc_sem_free(mproc_sem_t *sem);

/* ---- Event -------------------------------------------------------------- */

/**
 * Creates an event, not set.
 * @param out receives it, the caller's: free with mproc_event_free.
 * @param opts options, or NULL for anonymous.
 * @return 0, or MPROC_EEXIST (named, name taken), MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC, MPROC_EINVAL.
 */
MPROC_API int mproc_event_new(mproc_event_t **out, const mproc_shared_opts_t *opts);
/**
 * Opens a named event another process created.
 * @param out receives a handle, the caller's: free with mproc_event_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_event_open(mproc_event_t **out, const char *name);
/**
 * Sets the flag and wakes every waiter in every process. Never blocks;
 * setting a set event does nothing.
 * @param event the event.
 * @return 0, or MPROC_EINVAL (event not an event handle); it cannot fail
 *         otherwise.
 */
MPROC_API int mproc_event_set(mproc_event_t *event);
/**
 * Clears the flag. Never blocks.
 * @param event the event.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_event_clear(mproc_event_t *event);
/**
 * Whether the flag is set. A snapshot.
 * @param event the event.
 * @param is_set receives 1 if set, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_event_is_set(const mproc_event_t *event, int *is_set);
/**
 * Waits until the flag is set (returns at once if it is), at most
 * `timeout_ms`.
 * @param event the event.
 * @param timeout_ms how long to wait.
 * @return 0 once set, MPROC_ETIMEDOUT otherwise, MPROC_EINVAL.
 */
MPROC_API int mproc_event_wait(mproc_event_t *event, int64_t timeout_ms);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param event the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_event_name(const mproc_event_t *event, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param event the handle, or NULL.
 */
MPROC_API void mproc_event_free(mproc_event_t *event);

/* ---- Condition ---------------------------------------------------------- */

/**
 * Creates a condition over `lock`, or (lock NULL) over an RLock of its own,
 * as Python's Condition(lock=None).
 * @param out receives the condition, the caller's: free with
 *            mproc_cond_free.
 * @param lock the lock to use, or NULL; not taken (the condition keeps its
 *             own reference).
 * @param opts options, or NULL for anonymous. A named condition needs a
 *             named lock, or none.
 * @return 0, or MPROC_EINVAL (a named condition over an anonymous lock),
 *         MPROC_EEXIST, MPROC_ENOMEM, MPROC_EMFILE, MPROC_ENOSPC.
 */
MPROC_API int mproc_cond_new(mproc_cond_t **out, mproc_lock_t *lock,
                             const mproc_shared_opts_t *opts);
/**
 * Creates a condition over a re-entrant lock.
 * @param out receives the condition, the caller's.
 * @param lock the lock, or NULL; not taken.
 * @param opts options, or NULL for anonymous.
 * @return as mproc_cond_new.
 */
MPROC_API int mproc_cond_new_rlock(mproc_cond_t **out, mproc_rlock_t *lock,
                                   const mproc_shared_opts_t *opts);
/**
 * Opens a named condition (and its lock) another process created.
 * @param out receives a handle, the caller's: free with mproc_cond_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_cond_open(mproc_cond_t **out, const char *name);
/**
 * Acquires the condition's lock, as the lock's own acquire does.
 * @param cond the condition.
 * @param timeout_ms how long to wait.
 * @return 0 or MPROC_EOWNERDEAD (acquired), MPROC_ETIMEDOUT, MPROC_ESTATE
 *         (a plain lock the calling thread holds already), MPROC_EINVAL.
 */
MPROC_API int mproc_cond_acquire(mproc_cond_t *cond, int64_t timeout_ms);
/**
 * Releases the condition's lock, as the lock's own release does.
 * @param cond the condition.
 * @return 0, or MPROC_ESTATE (not held by the calling thread),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_cond_release(mproc_cond_t *cond);
/**
 * With the lock held: releases it (all levels of an RLock), sleeps until
 * notified or the timeout, and takes it back (at the same level) before
 * returning, whatever the outcome. Check the predicate in a loop, as with
 * any condition variable.
 * @param cond the condition.
 * @param timeout_ms how long to sleep.
 * @return 0: notified. MPROC_ETIMEDOUT: not notified in time.
 *         MPROC_EOWNERDEAD: the lock came back from a dead owner, notified
 *         or not (the data it guards may be half-updated: check it).
 *         MPROC_ESTATE: the calling thread does not hold the lock.
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_cond_wait(mproc_cond_t *cond, int64_t timeout_ms);
/**
 * With the lock held: wakes up to `n` of the waiters that were waiting
 * when it was called, and returns once they have taken their
 * notifications, so a waiter that comes later (the notifier itself, say)
 * never takes one meant for them. A notified waiter that has not taken its
 * notification within 2 s (it died or is stopped) no longer holds the
 * notifier up, so it blocks at most about 2 s.
 * @param cond the condition.
 * @param n how many waiters to wake at most.
 * @return 0, or MPROC_ESTATE (the calling thread does not hold the lock),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_cond_notify(mproc_cond_t *cond, uint32_t n);
/**
 * As mproc_cond_notify for every waiter.
 * @param cond the condition.
 * @return 0, or MPROC_ESTATE (the calling thread does not hold the lock),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_cond_notify_all(mproc_cond_t *cond);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param cond the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_cond_name(const mproc_cond_t *cond, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param cond the handle, or NULL.
 */
MPROC_API void mproc_cond_free(mproc_cond_t *cond);

/* ---- Barrier ------------------------------------------------------------ */

/**
 * Creates a barrier.
 * @param out receives the barrier, the caller's: free with
 *            mproc_barrier_free.
 * @param parties how many waiters make a round, at least 1.
 * @param opts options, or NULL for anonymous.
 * @return 0, or MPROC_EINVAL (parties 0), MPROC_EEXIST, MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC.
 */
MPROC_API int mproc_barrier_new(mproc_barrier_t **out, uint32_t parties,
                                const mproc_shared_opts_t *opts);
/**
 * Opens a named barrier another process created.
 * @param out receives a handle, the caller's: free with mproc_barrier_free.
 * @param name its name.
 * @return 0, or MPROC_ENOENT (no object of that name), MPROC_ETYPE (the
 *         name is another kind of object), MPROC_EACCES, MPROC_ECORRUPT,
 *         MPROC_EINVAL (out or name NULL), MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_barrier_open(mproc_barrier_t **out, const char *name);
/**
 * Waits for all parties, at most `timeout_ms`.
 * @param barrier the barrier.
 * @param timeout_ms how long to wait.
 * @param index receives (on 0) a number distinct for each waiter of a
 *              round, 0..parties-1 in order of arrival; may be NULL.
 * @return 0, or MPROC_EBROKEN (the barrier is broken: abort, a reset while
 *         waiting, or another waiter's timeout), MPROC_ETIMEDOUT (this
 *         waiter's timeout ran out, which breaks the barrier for everyone,
 *         as in Python), MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_wait(mproc_barrier_t *barrier, int64_t timeout_ms,
                                 uint32_t *index);
/**
 * Breaks the barrier: current and future waiters get MPROC_EBROKEN until
 * a reset. Never blocks.
 * @param barrier the barrier.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_abort(mproc_barrier_t *barrier);
/**
 * Returns the barrier to its initial state; current waiters get
 * MPROC_EBROKEN. Never blocks.
 * @param barrier the barrier.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_reset(mproc_barrier_t *barrier);
/**
 * The number of parties.
 * @param barrier the barrier.
 * @param parties receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_parties(const mproc_barrier_t *barrier, uint32_t *parties);
/**
 * How many wait in the current round. A snapshot.
 * @param barrier the barrier.
 * @param n receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_n_waiting(const mproc_barrier_t *barrier, uint32_t *n);
/**
 * Whether the barrier is broken. A snapshot.
 * @param barrier the barrier.
 * @param broken receives 1 if broken, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_broken(const mproc_barrier_t *barrier, int *broken);
/**
 * The name of a named object, "" for an anonymous one. Does not block.
 * @param barrier the object.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_barrier_name(const mproc_barrier_t *barrier, const char **name);
/**
 * Releases this process's reference. Accepts NULL. Never blocks.
 * @param barrier the handle, or NULL.
 */
MPROC_API void mproc_barrier_free(mproc_barrier_t *barrier);

/* ---- Passing to children ------------------------------------------------ */

/**
 * Appends a mproc_lock_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param lock the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_lock(mproc_args_t *args, mproc_lock_t *lock);
/**
 * Appends a mproc_rlock_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param lock the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_rlock(mproc_args_t *args, mproc_rlock_t *lock);
/**
 * Appends a mproc_sem_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param sem the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_sem(mproc_args_t *args, mproc_sem_t *sem);
/**
 * Appends a mproc_event_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param event the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_event(mproc_args_t *args, mproc_event_t *event);
/**
 * Appends a mproc_cond_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param cond the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_cond(mproc_args_t *args, mproc_cond_t *cond);
/**
 * Appends a mproc_barrier_t to a child's argument list (mproc/args.h); the list keeps
 * its own reference and the caller keeps its handle.
 * @param args the list.
 * @param barrier the object; not taken.
 * @return 0, or MPROC_EINVAL (a handle of the wrong type), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_barrier(mproc_args_t *args, mproc_barrier_t *barrier);
/**
 * Reads a mproc_lock_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_lock_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_lock(const mproc_args_t *args, size_t index, mproc_lock_t **out);
/**
 * Reads a mproc_rlock_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_rlock_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_rlock(const mproc_args_t *args, size_t index, mproc_rlock_t **out);
/**
 * Reads a mproc_sem_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_sem_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_sem(const mproc_args_t *args, size_t index, mproc_sem_t **out);
/**
 * Reads a mproc_event_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_event_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_event(const mproc_args_t *args, size_t index, mproc_event_t **out);
/**
 * Reads a mproc_cond_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_cond_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_cond(const mproc_args_t *args, size_t index, mproc_cond_t **out);
/**
 * Reads a mproc_barrier_t from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_barrier_free.
 * @return 0, or MPROC_ERANGE (no such index), MPROC_ETYPE (another type),
 *         MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_barrier(const mproc_args_t *args, size_t index, mproc_barrier_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_SYNC_H */
