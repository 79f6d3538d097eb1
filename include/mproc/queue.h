/**
 * @file mproc/queue.h
 * @brief Multi-producer, multi-consumer queues of byte messages in shared
 * memory (Python's multiprocessing Queue, SimpleQueue and JoinableQueue).
 *
 * A queue is a ring of bytes in shared memory, bounded in items (maxsize,
 * 0 = no item limit, as Python) and in bytes (its capacity; the default of
 * 1 GiB costs only the pages messages actually touch). Messages are copied
 * in by put and out by get; mproc never serialises objects (bindings may).
 * A message may be empty, and at most half the capacity less an 8-byte
 * record header (mproc_queue_max_message says exactly).
 *
 * put and get take a timeout: MPROC_FOREVER, or 0 for put_nowait /
 * get_nowait. Would-block and timeout give MPROC_EFULL / MPROC_EEMPTY
 * (Python's queue.Full / queue.Empty), not MPROC_ETIMEDOUT.
 *
 * Every queue is joinable: task_done and join work as JoinableQueue's, and
 * cost nothing when unused. **Trap:** mproc_queue_join returns 0 at once
 * when every item put so far is done -- so a join that runs before the
 * producers have put anything returns at once, having waited for nothing.
 * Join after the puts it should wait for (for example after joining the
 * producers), as with Python's JoinableQueue.
 *
 * Closing: after mproc_queue_close (from any process), puts fail with
 * MPROC_ECLOSED; gets return what is queued, then MPROC_ECLOSED; every
 * blocked put and get in every process wakes up.
 *
 * Faults: a producer or consumer killed at any point (even in the middle
 * of copying a message) leaves the queue working: a message is either in
 * the queue whole or not at all, and either taken whole or still queued.
 * A process that finds the queue's shared state corrupt (written by a
 * misbehaving peer) gets MPROC_ECORRUPT, never a crash.
 *
 * Handles are thread-safe and pass to children as arguments
 * (mproc_args_add_queue) under every start method; named queues open from
 * unrelated processes. No call starts a thread, except that
 * mproc_queue_fileno (mproc/wait.h) starts one per watched queue. Every
 * call may also give MPROC_EINVAL (a NULL, freed or wrong-type handle or
 * out-parameter, a bad timeout).
 */
#ifndef MPROC_QUEUE_H
#define MPROC_QUEUE_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The default byte capacity: 1 GiB of address space, not of memory. */
#define MPROC_QUEUE_DEFAULT_CAPACITY ((size_t)1 << 30)

/**
 * Creates options for mproc_queue_new, all defaults. Not to be changed by
 * one thread while another uses them.
 * @param out receives the options, the caller's: free with
 *            mproc_queue_opts_free.
 * @return 0, or MPROC_EINVAL (out NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_queue_opts_new(mproc_queue_opts_t **out);
/**
 * Frees options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_queue_opts_free(mproc_queue_opts_t *opts);
/**
 * Sets the most items the queue holds.
 * @param opts the options.
 * @param maxsize the limit; 0 (default) for none.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_opts_set_maxsize(mproc_queue_opts_t *opts, size_t maxsize);
/**
 * Sets the bytes of ring, rounded up to a power of two, at least 4096.
 * @param opts the options.
 * @param bytes the capacity, 1 byte to 4 GiB (message sizes are 32-bit).
 * @return 0, or MPROC_EINVAL (0, or more than 4 GiB).
 */
MPROC_API int mproc_queue_opts_set_capacity(mproc_queue_opts_t *opts, size_t bytes);
/**
 * Makes the queue named, under an unguessable name, as for other shared
 * objects (mproc_shared_opts_set_named).
 * @param opts the options.
 * @param named 1 for named, 0 for anonymous.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_opts_set_named(mproc_queue_opts_t *opts, int named);
/**
 * Makes the queue named `name` (rules of mproc_shared_opts_set_name).
 * @param opts the options.
 * @param name the name, copied.
 * @return 0, or MPROC_EINVAL (NULL, or a name breaking the rules).
 */
MPROC_API int mproc_queue_opts_set_name(mproc_queue_opts_t *opts, const char *name);

/**
 * Creates a queue.
 * @param out receives the queue, the caller's: free with mproc_queue_free.
 * @param opts options, or NULL for the defaults.
 * @return 0, or MPROC_EEXIST (named, name taken), MPROC_ENOMEM,
 *         MPROC_EMFILE, MPROC_ENOSPC, MPROC_EINVAL.
 */
MPROC_API int mproc_queue_new(mproc_queue_t **out, const mproc_queue_opts_t *opts);
/**
 * Opens a named queue.
 * @param out receives a handle, the caller's: free with mproc_queue_free.
 * @param name the queue's name.
 * @return 0, or MPROC_ENOENT (no such name), MPROC_ETYPE (another kind of
 *         object), MPROC_ECORRUPT, MPROC_EACCES, MPROC_EINVAL,
 *         MPROC_ENOMEM, MPROC_EMFILE.
 */
MPROC_API int mproc_queue_open(mproc_queue_t **out, const char *name);

/**
 * Puts a copy of `len` bytes. Waits up to `timeout_ms` for room (maxsize
 * items, or bytes). With a timeout of 0 it never sleeps: a side lock held
 * by a live peer is given about 100 us, then MPROC_EFULL. A put never
 * raises SIGBUS.
 * @param q the queue.
 * @param data the bytes, copied; may be NULL only when len is 0.
 * @param len how many bytes.
 * @param timeout_ms how long to wait for room.
 * @return 0, or MPROC_EFULL (no room in time), MPROC_ECLOSED,
 *         MPROC_ETOOBIG (over mproc_queue_max_message, with the limit in
 *         the message), MPROC_ECORRUPT, MPROC_ENOSPC / MPROC_ENOMEM (the
 *         ring's next pages could not be backed: for a named queue,
 *         /dev/shm is full, and the message says how much room it has;
 *         nothing was put, and puts succeed again once the backlog is
 *         taken), MPROC_EINVAL.
 */
MPROC_API int mproc_queue_put(mproc_queue_t *q, const void *data, size_t len,
                              int64_t timeout_ms);
/**
 * Takes the oldest message. Waits up to `timeout_ms` for one.
 * @param q the queue.
 * @param out receives the message, the caller's: free with mproc_msg_free
 *            (mproc/connection.h).
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_EEMPTY (nothing in time), MPROC_ECLOSED (closed and
 *         drained), MPROC_ECORRUPT, MPROC_ENOMEM, MPROC_EINVAL.
 */
MPROC_API int mproc_queue_get(mproc_queue_t *q, mproc_msg_t **out, int64_t timeout_ms);
/**
 * Takes the oldest message into the caller's buffer, whole or not at all
 * (mproc/common.h, "Buffers"). Waits up to `timeout_ms` for one.
 * @param q the queue.
 * @param buf the buffer; NULL only with cap 0.
 * @param cap its size; 0 (buf NULL) asks for the next message's size.
 * @param len receives the message's size.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETOOBIG (cap too small: *len is the size needed and
 *         the message stays queued), MPROC_EEMPTY, MPROC_ECLOSED,
 *         MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_queue_get_into(mproc_queue_t *q, void *buf, size_t cap, size_t *len,
                                   int64_t timeout_ms);

/**
 * Items queued now (approximate when others put or get meanwhile, as in
 * Python). Never blocks.
 * @param q the queue.
 * @param n receives the count.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_qsize(const mproc_queue_t *q, size_t *n);
/**
 * Whether the queue is empty (approximate).
 * @param q the queue.
 * @param empty receives 1 when empty, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_empty(const mproc_queue_t *q, int *empty);
/**
 * Whether maxsize items are queued (approximate).
 * @param q the queue.
 * @param full receives 1 when full, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_full(const mproc_queue_t *q, int *full);
/**
 * The queue's item limit.
 * @param q the queue.
 * @param maxsize receives the limit, 0 for none.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_maxsize(const mproc_queue_t *q, size_t *maxsize);
/**
 * The ring's size in bytes.
 * @param q the queue.
 * @param bytes receives the capacity.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_capacity(const mproc_queue_t *q, size_t *bytes);
/**
 * The largest message a put accepts.
 * @param q the queue.
 * @param bytes receives the size.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_max_message(const mproc_queue_t *q, size_t *bytes);

/**
 * Closes the queue for everyone (see the top of this file). Closing twice
 * is harmless. Never blocks.
 * @param q the queue.
 * @return 0, or MPROC_ECORRUPT, MPROC_EINVAL.
 */
MPROC_API int mproc_queue_close(mproc_queue_t *q);
/**
 * Whether the queue was closed.
 * @param q the queue.
 * @param closed receives 1 when closed, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_is_closed(const mproc_queue_t *q, int *closed);

/**
 * Marks one taken item as processed, waking joiners when it was the last.
 * Never blocks.
 * @param q the queue.
 * @return 0, or MPROC_ESTATE when called more times than items were taken
 *         (Python's ValueError), MPROC_EINVAL.
 */
MPROC_API int mproc_queue_task_done(mproc_queue_t *q);
/**
 * Waits until every item put so far has been marked done, at most
 * `timeout_ms`. **Returns 0 at once when nothing was put yet** (see the
 * top of this file). Closing the queue does not end a join.
 * @param q the queue.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETIMEDOUT, MPROC_EINVAL.
 */
MPROC_API int mproc_queue_join(mproc_queue_t *q, int64_t timeout_ms);

/**
 * The name of a named queue, "" for an anonymous one.
 * @param q the queue.
 * @param name receives the name, owned by the handle, valid while it lives.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_queue_name(const mproc_queue_t *q, const char **name);
/**
 * Releases this process's reference; the queue lives on in others.
 * Accepts NULL. Never blocks.
 * @param q the queue, or NULL.
 */
MPROC_API void mproc_queue_free(mproc_queue_t *q);

/**
 * Appends a queue to a child's argument list (mproc/args.h); the list
 * keeps its own reference.
 * @param args the list.
 * @param q the queue; not taken.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_queue(mproc_args_t *args, mproc_queue_t *q);
/**
 * Reads a queue from an argument list.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle, the caller's: free with
 *            mproc_queue_free.
 * @return 0, or MPROC_ERANGE, MPROC_ETYPE, MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_queue(const mproc_args_t *args, size_t index,
                                   mproc_queue_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_QUEUE_H */
