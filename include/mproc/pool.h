/*
 * mproc/pool.h: a pool of worker processes (Python's multiprocessing.Pool
 * and the best of concurrent.futures.ProcessPoolExecutor).
 *
 * A pool task turns input bytes into output bytes:
 *
 *   MPROC_POOL_TASK(square) {            // const void *in, size_t len,
 *     int64_t x;                          // mproc_result_t *out
 *     if (len != sizeof x) return mproc_result_error(out, MPROC_EINVAL, "want 8 bytes");
 *     memcpy(&x, in, sizeof x);
 *     x *= x;
 *     return mproc_result_set(out, &x, sizeof x);
 *   }
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
 * Threads: every pool, future and iterator handle may be used from any
 * thread. Completion callbacks run on the pool's collector thread, one at
 * a time, with no pool lock held: they may submit more work, but should not
 * block for long (they delay other results).
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

typedef struct mproc_task_opts_s mproc_task_opts_t;

/* Sets the task's output to a copy of `len` bytes. Returns 0 (so a task
 * can `return mproc_result_set(...)`), EINVAL or ENOMEM. */
MPROC_API int mproc_result_set(mproc_result_t *out, const void *data, size_t len);
/* Makes the output `len` bytes long; *data gets where to write them, valid
 * until the task returns. Errors: EINVAL, ENOMEM. */
MPROC_API int mproc_result_alloc(mproc_result_t *out, size_t len, void **data);
/* Records a failure with a message (copied; may be NULL) and returns
 * `code`, which must be negative: one of the MPROC_E* codes (another
 * value reaches the caller as MPROC_ETASK, the value in its message). */
MPROC_API int mproc_result_error(mproc_result_t *out, int code, const char *message);

/* ---- Pool options ------------------------------------------------------- */

MPROC_API int mproc_pool_opts_new(mproc_pool_opts_t **out);
MPROC_API void mproc_pool_opts_free(mproc_pool_opts_t *opts);
/* Number of workers; 0 (default) is mproc_cpu_count(). */
MPROC_API int mproc_pool_opts_set_processes(mproc_pool_opts_t *opts, size_t n);
MPROC_API int mproc_pool_opts_set_start_method(mproc_pool_opts_t *opts,
                                               mproc_start_method_t method);
/* A process task (mproc/task.h) each worker runs once before its first
 * task, with a copy of `args` (which stays the caller's; NULL: none). A
 * non-zero return fails the pool (see above). mproc_pool_new fails with
 * ENOTFOUND when no task has that name, ETYPE when a pool task has. */
MPROC_API int mproc_pool_opts_set_initializer(mproc_pool_opts_t *opts, const char *task,
                                              const mproc_args_t *args);
/* A worker is replaced after this many tasks (a chunk of map counts as
 * one); 0 (default) for never. */
MPROC_API int mproc_pool_opts_set_maxtasksperchild(mproc_pool_opts_t *opts, size_t n);

/* ---- Task options ------------------------------------------------------- */

typedef void (*mproc_future_cb)(mproc_future_t *future, void *userdata);

MPROC_API int mproc_task_opts_new(mproc_task_opts_t **out);
MPROC_API void mproc_task_opts_free(mproc_task_opts_t *opts);
/* The task may run at most `timeout_ms` once a worker starts it; past that
 * the worker is killed and replaced, and the task fails with ETIMEDOUT.
 * MPROC_FOREVER (default): no limit; nor is there one in practice for
 * timeouts beyond about 292 years (up to INT64_MAX). Any other negative
 * value: EINVAL. */
MPROC_API int mproc_task_opts_set_timeout(mproc_task_opts_t *opts, int64_t timeout_ms);
/* Called once the task is done (either way), on the pool's collector
 * thread. The future passed in is valid during the call only (it is not
 * the caller's handle, and must not be freed). */
MPROC_API int mproc_task_opts_set_callback(mproc_task_opts_t *opts, mproc_future_cb callback,
                                           void *userdata);

/* ---- Pools -------------------------------------------------------------- */

/* Starts the workers (under spawn, each runs the program again: call
 * mproc_main first in main). Every worker starts, or no pool is made:
 * should one fail to start, those already started are stopped and the
 * error is that start's, its message naming the worker. Errors: those of
 * starting processes. */
MPROC_API int mproc_pool_new(mproc_pool_t **out, const mproc_pool_opts_t *opts);
MPROC_API int mproc_pool_processes(const mproc_pool_t *pool, size_t *n);
/* The pids of the current workers (they change as workers are replaced).
 * Fills up to `cap`; *n gets the number of workers (mproc/common.h,
 * "Buffers"). */
MPROC_API int mproc_pool_worker_pids(const mproc_pool_t *pool, int64_t *pids, size_t cap,
                                     size_t *n);

/*
 * Submits a task; *out gets a future (free it with mproc_future_free; a
 * freed future's task still runs). `opts` may be NULL. Errors: ENOTFOUND
 * (task not registered), ETYPE (a process task has that name), ESTATE
 * (pool closed or terminated), EBROKEN (pool broken; the message says
 * why), EINVAL.
 */
MPROC_API int mproc_pool_apply_async(mproc_pool_t *pool, const char *task, const void *in,
                                     size_t len, const mproc_task_opts_t *opts,
                                     mproc_future_t **out);
/* As apply_async with a function; an unregistered one runs only in a pool
 * using the fork start method (ENOTSUP otherwise). */
MPROC_API int mproc_pool_apply_async_fn(mproc_pool_t *pool, mproc_pool_fn fn, const void *in,
                                        size_t len, const mproc_task_opts_t *opts,
                                        mproc_future_t **out);
/* Runs a task and waits for it: *out gets the result (mproc_msg_free).
 * Errors: the task's own code, EWORKER, ETIMEDOUT (the task's timeout, or
 * `timeout_ms` waiting), and those of apply_async. */
MPROC_API int mproc_pool_apply(mproc_pool_t *pool, const char *task, const void *in, size_t len,
                               const mproc_task_opts_t *opts, mproc_msg_t **out,
                               int64_t timeout_ms);

/* ---- Map options -------------------------------------------------------- */

/* Options of mproc_pool_map and mproc_pool_imap(_unordered); NULL options
 * mean all defaults. May be reused and freed right after the call. */
MPROC_API int mproc_map_opts_new(mproc_map_opts_t **out);
MPROC_API void mproc_map_opts_free(mproc_map_opts_t *opts);
/* Items travel to the workers in chunks of `n`. Default 0: for map,
 * Python's automatic choice (count / (4 * workers), rounded up); for imap,
 * 1. */
MPROC_API int mproc_map_opts_set_chunksize(mproc_map_opts_t *opts, size_t n);
/* The longest the whole of mproc_pool_map may take: past it the map fails
 * with ETIMEDOUT. Default MPROC_FOREVER; other negative values: EINVAL.
 * imap waits per result instead (mproc_imap_next's timeout_ms): imap
 * given options with a timeout set fails with EINVAL. */
MPROC_API int mproc_map_opts_set_timeout(mproc_map_opts_t *opts, int64_t timeout_ms);

/*
 * map over fixed-size items: `count` inputs of `in_size` bytes each at
 * `inputs`, into `count` outputs of `out_size` bytes each at `outputs`, in
 * order. Chunk size and time limit come from `opts` (may be NULL). Returns
 * 0 when every item succeeded; otherwise the first failing item's code
 * (its message in mproc_last_error) and *failed_index (may be NULL) says
 * which. A task whose output is not exactly out_size bytes fails with
 * EINVAL. ETIMEDOUT if the whole map takes longer than the options' timeout;
 * outputs are then unspecified but never written after the call returns.
 * An empty map (count 0) returns at once.
 */
MPROC_API int mproc_pool_map(mproc_pool_t *pool, const char *task, const void *inputs,
                             size_t in_size, size_t count, void *outputs, size_t out_size,
                             const mproc_map_opts_t *opts, size_t *failed_index);

/*
 * imap over variable-size items: inputs[i] of lens[i] bytes, copied at the
 * call. Results come from mproc_imap_next in input order; with
 * mproc_pool_imap_unordered, as they finish. `opts` (may be NULL) gives
 * the chunk size.
 */
MPROC_API int mproc_pool_imap(mproc_pool_t *pool, const char *task, const void *const *inputs,
                              const size_t *lens, size_t count, const mproc_map_opts_t *opts,
                              mproc_imap_t **out);
MPROC_API int mproc_pool_imap_unordered(mproc_pool_t *pool, const char *task,
                                        const void *const *inputs, const size_t *lens,
                                        size_t count, const mproc_map_opts_t *opts,
                                        mproc_imap_t **out);
/*
 * The next result: 0 with *index and *out (free with mproc_msg_free); the
 * item's own error code with *index (message in mproc_last_error);
 * ETIMEDOUT; EOF once every result was delivered.
 */
MPROC_API int mproc_imap_next(mproc_imap_t *it, size_t *index, mproc_msg_t **out,
                              int64_t timeout_ms);
/* Frees the iterator; results still to come are dropped. Accepts NULL. */
MPROC_API void mproc_imap_free(mproc_imap_t *it);

/* No new work; the workers exit once every submitted task is done. */
MPROC_API int mproc_pool_close(mproc_pool_t *pool);
/* Stops at once: the workers are killed; every task not done fails with
 * ECLOSED. */
MPROC_API int mproc_pool_terminate(mproc_pool_t *pool);
/* Waits for the workers to exit after close or terminate: 0 or ETIMEDOUT.
 * Errors: ESTATE (neither close nor terminate was called). */
MPROC_API int mproc_pool_join(mproc_pool_t *pool, int64_t timeout_ms);
/* Frees the pool: terminates it unless it was closed (tasks not done fail
 * with ECLOSED) and waits for its workers. Futures stay valid. Accepts
 * NULL. */
MPROC_API void mproc_pool_free(mproc_pool_t *pool);

/* ---- Futures ------------------------------------------------------------ */

/* Waits for the task: 0 once it is done (either way), ETIMEDOUT. */
MPROC_API int mproc_future_wait(mproc_future_t *f, int64_t timeout_ms);
MPROC_API int mproc_future_ready(const mproc_future_t *f, int *ready);
/* *ok = 1 if the task succeeded. Errors: ESTATE (not done yet). */
MPROC_API int mproc_future_successful(const mproc_future_t *f, int *ok);
/* Waits up to `timeout_ms`, then: 0 with *out, a copy of the output (free
 * with mproc_msg_free); or the task's error code (message in
 * mproc_last_error); or ETIMEDOUT. */
MPROC_API int mproc_future_result(mproc_future_t *f, mproc_msg_t **out, int64_t timeout_ms);
/* The task's error code (0 on success) and message ("" if none; valid
 * while the future lives). Errors: ESTATE (not done yet). */
MPROC_API int mproc_future_error(const mproc_future_t *f, int *code, const char **message);
/* Accepts NULL. */
MPROC_API void mproc_future_free(mproc_future_t *f);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_POOL_H */
