/*
 * mproc/queue.h: multi-producer, multi-consumer queues of byte messages in
 * shared memory (Python's multiprocessing Queue, SimpleQueue and
 * JoinableQueue).
 *
 * A queue is a ring of bytes in shared memory, bounded in items (maxsize,
 * 0 = no item limit, as Python) and in bytes (its capacity; the default of
 * 1 GiB costs only the pages messages actually touch). Messages are copied
 * in by put and out by get; mproc never serialises objects (bindings may).
 * A message may be empty, and at most half the capacity less an 8-byte
 * record header (mproc_queue_max_message says exactly).
 *
 * put and get take a timeout: MPROC_FOREVER, or 0 for put_nowait /
 * get_nowait. Would-block and timeout give MPROC_EFULL / MPROC_EEMPTY (Python's
 * queue.Full / queue.Empty).
 *
 * Every queue is joinable: task_done and join work as JoinableQueue's, and
 * cost nothing when unused.
 *
 * Closing: after mproc_queue_close (from any process), puts fail with
 * MPROC_ECLOSED; gets return what is queued, then MPROC_ECLOSED; every
 * blocked put, get and join in every process wakes up.
 *
 * Faults: a producer or consumer killed at any point (even in the middle
 * of copying a message) leaves the queue working: a message is either in
 * the queue whole or not at all, and either taken whole or still queued.
 * A process that finds the queue's shared state corrupt (written by a
 * misbehaving peer) gets MPROC_ECORRUPT, never a crash.
 *
 * Handles are thread-safe and pass to children as arguments
 * (mproc_args_add_queue) under every start method; named queues open from
 * unrelated processes.
 */
#ifndef MPROC_QUEUE_H
#define MPROC_QUEUE_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default byte capacity: 1 GiB of address space, not of memory. */
#define MPROC_QUEUE_DEFAULT_CAPACITY ((size_t)1 << 30)

MPROC_API int mproc_queue_opts_new(mproc_queue_opts_t **out);
MPROC_API void mproc_queue_opts_free(mproc_queue_opts_t *opts);
/* Most items the queue holds; 0 (default) for no limit. */
MPROC_API int mproc_queue_opts_set_maxsize(mproc_queue_opts_t *opts, size_t maxsize);
/* Bytes of ring, rounded up to a power of two, at least 4096.
 * Errors: EINVAL (0, or more than 4 GiB: message sizes are 32-bit). */
MPROC_API int mproc_queue_opts_set_capacity(mproc_queue_opts_t *opts, size_t bytes);
/* Named queues, as for other shared objects (mproc/sync.h). */
MPROC_API int mproc_queue_opts_set_named(mproc_queue_opts_t *opts, int named);
MPROC_API int mproc_queue_opts_set_name(mproc_queue_opts_t *opts, const char *name);

/* Errors: ENOMEM, EMFILE, EEXIST (named, name taken), EINVAL. */
MPROC_API int mproc_queue_new(mproc_queue_t **out, const mproc_queue_opts_t *opts);
/* Errors: ENOENT, ETYPE, ECORRUPT. */
MPROC_API int mproc_queue_open(mproc_queue_t **out, const char *name);

/*
 * Puts a copy of `len` bytes. Waits up to `timeout_ms` for room (maxsize
 * items, or bytes). With a timeout of 0 it never sleeps: a side lock held
 * by a live peer is given about 100 us, then EFULL. Errors: EFULL (no room
 * in time), ECLOSED, ETOOBIG (over mproc_queue_max_message, with the limit
 * in the message), ECORRUPT, ENOSPC / ENOMEM (the ring's next pages could
 * not be backed: for a named queue, /dev/shm is full, and the message says
 * how much room it has; nothing was put, and puts succeed again once the
 * backlog is taken). A put never raises SIGBUS.
 */
MPROC_API int mproc_queue_put(mproc_queue_t *q, const void *data, size_t len,
                              int64_t timeout_ms);
/*
 * Takes the oldest message into a new library-owned message (free it with
 * mproc_msg_free, mproc/connection.h). Errors: EEMPTY (nothing in time),
 * ECLOSED (closed and drained), ECORRUPT.
 */
MPROC_API int mproc_queue_get(mproc_queue_t *q, mproc_msg_t **out, int64_t timeout_ms);
/*
 * Takes the oldest message into `buf`; *len gets its size. If `cap` is too
 * small: ETOOBIG, *len is the size needed, and the message stays queued;
 * cap 0 with buf NULL asks for the size this way (mproc/common.h,
 * "Buffers"). Other errors as mproc_queue_get.
 */
MPROC_API int mproc_queue_get_into(mproc_queue_t *q, void *buf, size_t cap, size_t *len,
                                   int64_t timeout_ms);

/* Items queued now (approximate when others put or get meanwhile, as in
 * Python). */
MPROC_API int mproc_queue_qsize(const mproc_queue_t *q, size_t *n);
MPROC_API int mproc_queue_empty(const mproc_queue_t *q, int *empty);
/* 1 when maxsize items are queued (approximate). */
MPROC_API int mproc_queue_full(const mproc_queue_t *q, int *full);
MPROC_API int mproc_queue_maxsize(const mproc_queue_t *q, size_t *maxsize);
MPROC_API int mproc_queue_capacity(const mproc_queue_t *q, size_t *bytes);
/* The largest message a put accepts. */
MPROC_API int mproc_queue_max_message(const mproc_queue_t *q, size_t *bytes);

/* Closes the queue for everyone (see above). Closing twice is harmless. */
MPROC_API int mproc_queue_close(mproc_queue_t *q);
MPROC_API int mproc_queue_is_closed(const mproc_queue_t *q, int *closed);

/* Marks one taken item as processed. Errors: ESTATE when called more times
 * than items were taken (Python's ValueError). */
MPROC_API int mproc_queue_task_done(mproc_queue_t *q);
/* Waits until every item ever put has been marked done: 0, or ETIMEDOUT. */
MPROC_API int mproc_queue_join(mproc_queue_t *q, int64_t timeout_ms);

/* *name gets the name of a named queue, "" for an anonymous one; valid
 * while the handle lives. Errors: EINVAL. */
MPROC_API int mproc_queue_name(const mproc_queue_t *q, const char **name);
MPROC_API void mproc_queue_free(mproc_queue_t *q);

MPROC_API int mproc_args_add_queue(mproc_args_t *args, mproc_queue_t *q);
MPROC_API int mproc_args_get_queue(const mproc_args_t *args, size_t index,
                                   mproc_queue_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_QUEUE_H */
