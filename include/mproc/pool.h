/**
 * @file mproc/pool.h
 * @brief A pool of worker processes (Python's multiprocessing.Pool and the
 * best of concurrent.futures.ProcessPoolExecutor).
 *
 * A pool task turns input bytes into output bytes:
 * @code
 *   MPROC_POOL_TASK(square) {            // const void *in, size_t len,
 *     int64_t x;                          // mproc_result_t *out
 *     if (len != sizeof x) return mproc_result_error(out, MPROC_EINVAL, "want 8 bytes");
 *     memcpy(&x, in, sizeof x);
 *     x *= x;
 *     return mproc_result_set(out, &x, sizeof x);
 *   }
 * @endcode
 *
 * Tasks and results travel through shared-memory queues, one per worker
 * for tasks and one for results: while the workers are busy, submitting a
 * task and collecting its result make no system call. map and imap send
 * their inputs in contiguous chunks.
 *
 * Failures never hang the pool. A task that returns an error delivers its
 * code and message. A worker that crashes or is killed fails exactly the
 * task it was running with MPROC_EWORKER (the message names the signal) and
 * is replaced; every other task still completes. A task given a timeout
 * that runs past it has its worker killed and replaced and fails with
 * MPROC_ETIMEDOUT. A pool that cannot go on breaks, and says why: when an
 * initializer fails, every task not done fails with its code and message;
 * when a dead worker's replacement cannot start, they fail with
 * MPROC_EBROKEN. A broken pool starts no worker again and refuses new work
 * with MPROC_EBROKEN; close, terminate and join still work.
 *
 * Process-wide effects: the workers are child processes (mproc/process.h):
 * under spawn and forkserver the program must call mproc_main first in
 * main. Each pool runs a collector thread, and a short-lived thread while
 * it replaces a dead worker. Workers are daemons, as Python's: they end
 * with the program (terminated at its exit, killed by the kernel if it
 * dies).
 *
 * Threads: every pool, future and iterator handle may be used from any
 * thread. Completion callbacks run on the pool's collector thread, one at
 * a time, with no pool lock held: they may submit more work, but should not
 * block for long (they delay other results). Every call may also give
 * MPROC_EINVAL (a NULL, freed or wrong-type handle or out-parameter, a bad
 * timeout) and MPROC_ENOMEM.
 */
#ifndef MPROC_POOL_H
#define MPROC_POOL_H

#include <mproc/common.h>
#include <mproc/process.h>
#include <mproc/task.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Pool tasks --------------------------------------------------------- */

/* Pool tasks (mproc_pool_fn, MPROC_POOL_TASK) are registered in the one
 * task registry, mproc/task.h. */

/** Options of one submitted task (timeout, completion callback). */
typedef struct mproc_task_opts_s mproc_task_opts_t;

/**
 * Sets the task's output to a copy of `len` bytes. Called by a pool task
 * on the `out` it was lent.
 * @param out the task's result.
 * @param data the bytes; NULL only when len is 0.
 * @param len how many bytes.
 * @return 0 (so a task can `return mproc_result_set(...)`), MPROC_EINVAL
 *         (out not a task's result, data NULL with len > 0), MPROC_ENOMEM.
 */
MPROC_API int mproc_result_set(mproc_result_t *out, const void *data, size_t len);
/**
 * Makes the output `len` bytes long, for the task to write in place.
 * @param out the task's result.
 * @param len the output's size.
 * @param data receives where to write them, owned by the result, valid
 *             until the task returns.
 * @return 0, or MPROC_EINVAL (out not a task's result, data NULL),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_result_alloc(mproc_result_t *out, size_t len, void **data);
/**
 * Records a failure with a message, for the task to return.
 * @param out the task's result.
 * @param code a negative code: one of the MPROC_E* codes (another value
 *             reaches the caller as MPROC_ETASK, the value in its message).
 * @param message the message, copied; may be NULL.
 * @return `code`, or MPROC_EINVAL (out not a task's result, code not
 *         negative).
 */
MPROC_API int mproc_result_error(mproc_result_t *out, int code, const char *message);

/* ---- Pool options ------------------------------------------------------- */

/**
 * Creates pool options, all defaults.
 * @param out receives the options, the caller's: free with
 *            mproc_pool_opts_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_pool_opts_new(mproc_pool_opts_t **out);
/**
 * Frees pool options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_pool_opts_free(mproc_pool_opts_t *opts);
/**
 * Sets the number of workers.
 * @param opts the options.
 * @param n the number; 0 (default) is mproc_cpu_count().
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_opts_set_processes(mproc_pool_opts_t *opts, size_t n);
/**
 * Sets how the workers start.
 * @param opts the options.
 * @param method a start method, or MPROC_START_DEFAULT (default).
 * @return 0, or MPROC_EINVAL (not a method), MPROC_ENOTSUP (fork or
 *         forkserver on Windows).
 */
MPROC_API int mproc_pool_opts_set_start_method(mproc_pool_opts_t *opts,
                                               mproc_start_method_t method);
/**
 * Sets a process task (mproc/task.h) each worker runs once before its
 * first task. A non-zero return fails the pool (see the top of this file).
 * @param opts the options.
 * @param task the task's name, copied. mproc_pool_new fails with
 *             MPROC_ENOTFOUND when no task has that name, MPROC_ETYPE when
 *             a pool task has.
 * @param args its arguments, copied (they stay the caller's); NULL: none.
 * @return 0, or MPROC_EINVAL (task NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_pool_opts_set_initializer(mproc_pool_opts_t *opts, const char *task,
                                              const mproc_args_t *args);
/**
 * Replaces a worker after it has run this many tasks (a chunk of map
 * counts as one).
 * @param opts the options.
 * @param n the number; 0 (default) for never.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_opts_set_maxtasksperchild(mproc_pool_opts_t *opts, size_t n);

/* ---- Task options ------------------------------------------------------- */

/**
 * A completion callback: runs on the pool's collector thread once the task
 * is done, either way.
 * @param future the task's future, lent for the call only (it is not the
 *               caller's handle: read it, never free it).
 * @param userdata what was given to mproc_task_opts_set_callback.
 */
typedef void (*mproc_future_cb)(mproc_future_t *future, void *userdata);

/**
 * Creates task options, all defaults. May be reused and freed right after
 * the submitting call.
 * @param out receives the options, the caller's: free with
 *            mproc_task_opts_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_task_opts_new(mproc_task_opts_t **out);
/**
 * Frees task options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_task_opts_free(mproc_task_opts_t *opts);
/**
 * Limits how long the task may run once a worker starts it; past that the
 * worker is killed and replaced, and the task fails with MPROC_ETIMEDOUT.
 * @param opts the options.
 * @param timeout_ms the limit; MPROC_FOREVER (default): none, nor is there
 *                   one in practice beyond about 292 years.
 * @return 0, or MPROC_EINVAL (a negative value other than MPROC_FOREVER).
 */
MPROC_API int mproc_task_opts_set_timeout(mproc_task_opts_t *opts, int64_t timeout_ms);
/**
 * Sets a callback run once the task is done (either way), on the pool's
 * collector thread.
 * @param opts the options.
 * @param callback the function, or NULL for none.
 * @param userdata passed to it as is; the caller keeps it alive until the
 *                 callback has run.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_task_opts_set_callback(mproc_task_opts_t *opts, mproc_future_cb callback,
                                           void *userdata);
/**
 * Releases a callback's userdata: see mproc_task_opts_set_callback_owned.
 * @param userdata what was given to mproc_task_opts_set_callback_owned.
 */
typedef void (*mproc_release_cb)(void *userdata);
/**
 * As mproc_task_opts_set_callback, and the library owns `userdata` from
 * then on: it calls `release(userdata)` exactly once, when it holds no
 * copy of the callback any more -- after the callback ran for every task
 * submitted with these options and the options were freed or given
 * another callback, or as soon as a task is dropped without its callback
 * running. So userdata is freed in every path, including a submission
 * that fails and a pool freed or terminated first; a caller needs no
 * bookkeeping of its own (mproc.hpp's TaskOptions::callback relies on
 * it). `release` runs on whichever thread drops the last copy: the pool's
 * collector thread, or the thread freeing the options, terminating or
 * freeing the pool; it must not call back into the same pool.
 * @param opts the options.
 * @param callback the function; NULL is MPROC_EINVAL.
 * @param userdata passed to the callback and then to `release`.
 * @param release frees userdata; NULL is MPROC_EINVAL.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM. On failure `release` is not
 *         called: userdata is still the caller's.
 */
MPROC_API int mproc_task_opts_set_callback_owned(mproc_task_opts_t *opts, mproc_future_cb callback,
                                                 void *userdata, mproc_release_cb release);

/* ---- Pools -------------------------------------------------------------- */

/**
 * Creates a pool and starts its workers. Blocks until every worker has
 * started (each start as mproc_process_start). Every worker starts, or no
 * pool is made: should one fail to start, those already started are
 * stopped and the error is that start's, its message naming the worker.
 * @param out receives the pool, the caller's: free with mproc_pool_free.
 * @param opts options, or NULL for the defaults; read now.
 * @return 0, or MPROC_ENOTFOUND / MPROC_ETYPE (the initializer's name),
 *         and the errors of mproc_process_start (MPROC_EBOOTSTRAP,
 *         MPROC_ESTATE in a daemon, MPROC_EAGAIN, ...).
 */
MPROC_API int mproc_pool_new(mproc_pool_t **out, const mproc_pool_opts_t *opts);
/**
 * The number of workers.
 * @param pool the pool.
 * @param n receives the number.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_processes(const mproc_pool_t *pool, size_t *n);
/**
 * The pids of the current workers (they change as workers are replaced).
 * @param pool the pool.
 * @param pids filled with up to `cap` pids; NULL only with cap 0.
 * @param cap the capacity of `pids`.
 * @param n receives the number of workers.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_worker_pids(const mproc_pool_t *pool, int64_t *pids, size_t cap,
                                     size_t *n);

/**
 * Submits a task. Does not wait for it.
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param in the input bytes, copied; NULL only when len is 0.
 * @param len how many bytes.
 * @param opts task options, or NULL.
 * @param out receives a future, the caller's: free with mproc_future_free
 *            (a freed future's task still runs).
 * @return 0, or MPROC_ENOTFOUND (task not registered), MPROC_ETYPE (a
 *         process task has that name), MPROC_ESTATE (pool closed or
 *         terminated), MPROC_EBROKEN (pool broken; the message says why),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_pool_apply_async(mproc_pool_t *pool, const char *task, const void *in,
                                     size_t len, const mproc_task_opts_t *opts,
                                     mproc_future_t **out);
/**
 * As mproc_pool_apply_async with a function; an unregistered one runs only
 * in a pool using the fork start method.
 * @param pool the pool.
 * @param fn the pool task.
 * @param in the input bytes, copied.
 * @param len how many bytes.
 * @param opts task options, or NULL.
 * @param out receives a future, the caller's.
 * @return as mproc_pool_apply_async, and MPROC_ENOTSUP (an unregistered
 *         function in a pool not using fork).
 */
MPROC_API int mproc_pool_apply_async_fn(mproc_pool_t *pool, mproc_pool_fn fn, const void *in,
                                        size_t len, const mproc_task_opts_t *opts,
                                        mproc_future_t **out);
/**
 * Runs a task and waits for it, at most `timeout_ms` (the task goes on if
 * the wait times out).
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param in the input bytes, copied.
 * @param len how many bytes.
 * @param opts task options, or NULL.
 * @param out receives the output, the caller's: free with mproc_msg_free.
 * @param timeout_ms how long to wait.
 * @return 0, or the task's own code (message in mproc_last_error; a
 *         code no table lists is MPROC_ETASK), MPROC_EWORKER, MPROC_ETIMEDOUT (the task's timeout, or
 *         `timeout_ms` waiting), MPROC_ECLOSED (terminated meanwhile), and
 *         the errors of mproc_pool_apply_async.
 */
MPROC_API int mproc_pool_apply(mproc_pool_t *pool, const char *task, const void *in, size_t len,
                               const mproc_task_opts_t *opts, mproc_msg_t **out,
                               int64_t timeout_ms);

/* ---- Map options -------------------------------------------------------- */

/**
 * Creates options of mproc_pool_map and mproc_pool_imap(_unordered), all
 * defaults (NULL options mean the same). May be reused and freed right
 * after the call.
 * @param out receives the options, the caller's: free with
 *            mproc_map_opts_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_map_opts_new(mproc_map_opts_t **out);
/**
 * Frees map options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_map_opts_free(mproc_map_opts_t *opts);
/**
 * Sets how many items travel to a worker together.
 * @param opts the options.
 * @param n the chunk size. Default 0: for map, Python's automatic choice
 *          (count / (4 * workers), rounded up); for imap, 1.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_map_opts_set_chunksize(mproc_map_opts_t *opts, size_t n);
/**
 * Sets the longest the whole of mproc_pool_map may take: past it the map
 * fails with MPROC_ETIMEDOUT. imap waits per result instead
 * (mproc_imap_next's timeout_ms): imap given options with a timeout set
 * fails with MPROC_EINVAL.
 * @param opts the options.
 * @param timeout_ms the limit; default MPROC_FOREVER.
 * @return 0, or MPROC_EINVAL (a negative value other than MPROC_FOREVER).
 */
MPROC_API int mproc_map_opts_set_timeout(mproc_map_opts_t *opts, int64_t timeout_ms);

/**
 * Maps a task over fixed-size items, in order, and waits for all of them.
 * An empty map (count 0) returns at once.
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param inputs `count` inputs of `in_size` bytes each, read during the
 *               call.
 * @param in_size the size of one input.
 * @param count how many items.
 * @param outputs room for `count` outputs of `out_size` bytes each, the
 *                caller's; never written after the call returns.
 * @param out_size the size of one output; a task whose output is not
 *                 exactly out_size bytes fails with MPROC_EINVAL.
 * @param opts chunk size and time limit, or NULL.
 * @param failed_index receives the index of the first failing item; may be
 *                     NULL.
 * @return 0 when every item succeeded; otherwise the first failing item's
 *         code (its message in mproc_last_error), MPROC_ETIMEDOUT (the
 *         whole map took longer than the options' timeout; outputs are
 *         then unspecified), and the errors of mproc_pool_apply_async.
 */
MPROC_API int mproc_pool_map(mproc_pool_t *pool, const char *task, const void *inputs,
                             size_t in_size, size_t count, void *outputs, size_t out_size,
                             const mproc_map_opts_t *opts, size_t *failed_index);

/**
 * Maps a task over variable-size items lazily; results come from
 * mproc_imap_next in input order. Does not wait for results.
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param inputs `count` pointers to the inputs, copied at the call.
 * @param lens their sizes.
 * @param count how many items.
 * @param opts chunk size, or NULL (a timeout in them is MPROC_EINVAL).
 * @param out receives the iterator, the caller's: free with
 *            mproc_imap_free.
 * @return 0, or MPROC_EINVAL (inputs or lens NULL with count > 0, an input
 *         NULL with a length, options with a timeout), and the errors of
 *         mproc_pool_apply_async.
 */
MPROC_API int mproc_pool_imap(mproc_pool_t *pool, const char *task, const void *const *inputs,
                              const size_t *lens, size_t count, const mproc_map_opts_t *opts,
                              mproc_imap_t **out);
/**
 * As mproc_pool_imap, with results in the order they finish.
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param inputs `count` pointers to the inputs, copied at the call.
 * @param lens their sizes.
 * @param count how many items.
 * @param opts chunk size, or NULL.
 * @param out receives the iterator, the caller's: free with
 *            mproc_imap_free.
 * @return as mproc_pool_imap.
 */
MPROC_API int mproc_pool_imap_unordered(mproc_pool_t *pool, const char *task,
                                        const void *const *inputs, const size_t *lens,
                                        size_t count, const mproc_map_opts_t *opts,
                                        mproc_imap_t **out);
/**
 * The next result, waiting at most `timeout_ms` for it.
 * @param it the iterator.
 * @param index receives the item's index (also when the item failed).
 * @param out receives the output on 0, the caller's: free with
 *            mproc_msg_free.
 * @param timeout_ms how long to wait.
 * @return 0, or the item's own error code (message in mproc_last_error;
 *         the next call goes on with the next item), MPROC_ETIMEDOUT,
 *         MPROC_EOF once every result was delivered, MPROC_EINVAL.
 */
MPROC_API int mproc_imap_next(mproc_imap_t *it, size_t *index, mproc_msg_t **out,
                              int64_t timeout_ms);
/**
 * Frees the iterator; results still to come are dropped. Accepts NULL.
 * @param it the iterator, or NULL.
 */
MPROC_API void mproc_imap_free(mproc_imap_t *it);

/**
 * Closes the pool to new work; the workers exit once every submitted task
 * is done. Does not wait (join does).
 * @param pool the pool.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_close(mproc_pool_t *pool);
/**
 * Stops at once: the workers are killed; every task not done fails with
 * MPROC_ECLOSED. Does not wait for the workers to exit (join does).
 * @param pool the pool.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_pool_terminate(mproc_pool_t *pool);
/**
 * Waits for the workers to exit after close or terminate, at most
 * `timeout_ms`.
 * @param pool the pool.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETIMEDOUT, MPROC_ESTATE (neither close nor terminate
 *         was called; or called from one of the pool's own callbacks, which
 *         would wait for itself), MPROC_EINVAL.
 */
MPROC_API int mproc_pool_join(mproc_pool_t *pool, int64_t timeout_ms);
/**
 * Frees the pool: terminates it unless it was closed (tasks not done fail
 * with MPROC_ECLOSED) and waits, without limit, for its workers (a closed
 * pool's workers finish their tasks first). Futures stay valid. Accepts
 * NULL.
 * @param pool the pool, or NULL.
 */
MPROC_API void mproc_pool_free(mproc_pool_t *pool);

/* ---- Futures ------------------------------------------------------------ */

/**
 * Waits for the task to be done (either way), at most `timeout_ms`.
 * @param f the future.
 * @param timeout_ms how long to wait.
 * @return 0 once done, MPROC_ETIMEDOUT, MPROC_EINVAL.
 */
MPROC_API int mproc_future_wait(mproc_future_t *f, int64_t timeout_ms);
/**
 * Whether the task is done. Never blocks.
 * @param f the future.
 * @param ready receives 1 when done, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_future_ready(const mproc_future_t *f, int *ready);
/**
 * Whether the task succeeded. Never blocks.
 * @param f the future.
 * @param ok receives 1 if it succeeded, else 0.
 * @return 0, or MPROC_ESTATE (not done yet), MPROC_EINVAL.
 */
MPROC_API int mproc_future_successful(const mproc_future_t *f, int *ok);
/**
 * Waits up to `timeout_ms` for the task, then gives its output or its
 * error.
 * @param f the future.
 * @param out receives a copy of the output on 0, the caller's: free with
 *            mproc_msg_free.
 * @param timeout_ms how long to wait.
 * @return 0, or the task's error code (message in mproc_last_error:
 *         MPROC_EWORKER, MPROC_ETIMEDOUT for the task's own timeout,
 *         MPROC_ECLOSED, MPROC_EBROKEN, or the task's code), or
 *         MPROC_ETIMEDOUT (not done in time), MPROC_EINVAL.
 */
MPROC_API int mproc_future_result(mproc_future_t *f, mproc_msg_t **out, int64_t timeout_ms);
/**
 * As mproc_future_result, without the copy: the output is given in place,
 * nothing to free. For front ends where every call counts (the Python
 * Pool's results).
 * @param f the future.
 * @param data receives the output's bytes on 0, owned by the future, valid
 *             while it lives.
 * @param size receives the output's size on 0.
 * @param timeout_ms how long to wait.
 * @return 0, or the task's error code (message in mproc_last_error:
 *         MPROC_EWORKER, MPROC_ETIMEDOUT for the task's own timeout,
 *         MPROC_ECLOSED, MPROC_EBROKEN, or the task's code), or
 *         MPROC_ETIMEDOUT (not done in time), MPROC_EINVAL.
 */
MPROC_API int mproc_future_result_view(mproc_future_t *f, const void **data, size_t *size,
                                       int64_t timeout_ms);
/**
 * The task's error, read without waiting and without failing: how to tell
 * a task's failure from a failure of the call.
 * @param f the future.
 * @param code receives the task's error code, 0 on success.
 * @param message receives its message ("" if none), owned by the future,
 *                valid while it lives; may be NULL.
 * @return 0, or MPROC_ESTATE (not done yet), MPROC_EINVAL.
 */
MPROC_API int mproc_future_error(const mproc_future_t *f, int *code, const char **message);
/**
 * Frees the future; its task still runs. Accepts NULL; a future lent to a
 * callback is not the caller's to free.
 * @param f the future, or NULL.
 */
MPROC_API void mproc_future_free(mproc_future_t *f);

/* ---- Completion queues --------------------------------------------------- */

/**
 * Outcomes of tasks submitted with mproc_pool_apply_async_to, taken many at
 * a time: for front ends where every call counts (the Python Pool), one
 * call collects what would otherwise be one call per task's future.
 */
typedef struct mproc_completions_s mproc_completions_t;

/**
 * One outcome as mproc_completions_take lays it out: this header, then
 * `size` bytes (the task's output if `code` is 0, else its error message),
 * then zero padding to a multiple of 8 bytes.
 */
typedef struct mproc_completion_s {
  uint64_t tag;      /**< the tag given to mproc_pool_apply_async_to */
  int32_t code;      /**< 0, or the task's error code as mproc_future_result gives it */
  uint32_t reserved; /**< 0 */
  uint64_t size;     /**< the bytes that follow, before the padding */
} mproc_completion_t;

/**
 * Makes an empty completion queue.
 * @param out receives it, the caller's: free with mproc_completions_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_completions_new(mproc_completions_t **out);
/**
 * Frees the caller's handle. Tasks still running keep the queue alive
 * until they end; their outcomes are then dropped. Accepts NULL.
 * @param c the queue, or NULL.
 */
MPROC_API void mproc_completions_free(mproc_completions_t *c);
/**
 * Submits a task, as mproc_pool_apply_async, without a future: when it
 * ends, its outcome, labelled `tag`, joins the queue `into`.
 * @param pool the pool.
 * @param task the registered name of a pool task.
 * @param in the input bytes, copied; NULL only when len is 0.
 * @param len how many bytes.
 * @param opts task options (a timeout), or NULL; options with a callback
 *             are refused (MPROC_EINVAL): the outcome goes to the queue.
 * @param into the completion queue.
 * @param tag the caller's label of the task, given back with its outcome.
 * @return as mproc_pool_apply_async.
 */
MPROC_API int mproc_pool_apply_async_to(mproc_pool_t *pool, const char *task, const void *in,
                                        size_t len, const mproc_task_opts_t *opts,
                                        mproc_completions_t *into, uint64_t tag);
/**
 * Takes outcomes, oldest first, waiting at most `timeout_ms` for the first:
 * as many whole outcomes as fit in `cap` bytes, each an mproc_completion_t
 * and its bytes (8-byte aligned when `buf` is).
 * @param c the queue.
 * @param buf where to copy them.
 * @param cap its size in bytes.
 * @param used receives the bytes written; on MPROC_ETOOBIG, the room the
 *             oldest outcome needs (nothing is taken).
 * @param timeout_ms how long to wait for one.
 * @return 0, or MPROC_ETIMEDOUT (none came in time), MPROC_ETOOBIG,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_completions_take(mproc_completions_t *c, void *buf, size_t cap,
                                     size_t *used, int64_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_POOL_H */
