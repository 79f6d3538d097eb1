/**
 * @file mproc/wait.h
 * @brief Waiting on many objects at once (Python's
 * multiprocessing.connection.wait).
 *
 * A wait set holds connections, listeners, processes, commands, queues and
 * the program's own descriptors; mproc_waitset_wait blocks until one or
 * more of them is ready, or the timeout passes, and says which:
 *  - a connection: a receive would not block (a message, the end of the
 *    stream, a broken stream, or the end was closed);
 *  - a listener: mproc_listener_accept would not block;
 *  - a process or command: it has ended;
 *  - a queue: it holds a message (or is closed), so a get would not block
 *    -- unless another consumer takes the message first, as in Python;
 *  - a descriptor: it is readable.
 * Each add returns a slot, a small index that stays the member's until it
 * is removed (then it may be given to a later add). The set holds its own
 * reference to each object: freeing a handle while its object is in a set
 * is allowed, and the object lives until it is removed or the set is freed.
 *
 * For a program's own event loop (epoll, kqueue, libuv's uv_poll) each
 * kind of object also gives a descriptor: mproc_conn_fileno,
 * mproc_listener_fileno, mproc_process_sentinel, mproc_command_sentinel,
 * mproc_queue_fileno. Treat their readiness as a hint and drain: after a
 * wake-up, call the object's non-blocking form (mproc_conn_poll(c, 0),
 * mproc_listener_accept(l, &c, 0), mproc_queue_get(q, &m, 0)) until it
 * says ETIMEDOUT / EEMPTY. A connection reads ahead, so several whole
 * messages may wait in it while its descriptor is quiet.
 *
 * Thread-safe; a set is meant to be waited on by one thread at a time.
 * Every call may also give MPROC_EINVAL (a NULL, freed or wrong-type
 * handle or out-parameter, a bad timeout) and MPROC_ENOMEM.
 */
#ifndef MPROC_WAIT_H
#define MPROC_WAIT_H

#include <mproc/common.h>
#include <mproc/listener.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A set of objects to wait on together. */
typedef struct mproc_waitset_s mproc_waitset_t;

/**
 * Creates an empty wait set.
 * @param out receives the set, the caller's: free with mproc_waitset_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_new(mproc_waitset_t **out);
/**
 * Frees the set and its references to its members. Accepts NULL.
 * @param w the set, or NULL.
 */
MPROC_API void mproc_waitset_free(mproc_waitset_t *w);

/**
 * Adds a connection end, ready when a receive would not block.
 * @param w the set.
 * @param c the connection; the set keeps its own reference.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_EINVAL (a NULL or freed handle; an end that only
 *         sends), MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_conn(mproc_waitset_t *w, mproc_conn_t *c, size_t *slot);
/**
 * Adds a listener, ready when an accept would not block.
 * @param w the set.
 * @param l the listener; the set keeps its own reference.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_ECLOSED (a closed listener), MPROC_EINVAL,
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_listener(mproc_waitset_t *w, mproc_listener_t *l,
                                         size_t *slot);
/**
 * Adds a process, ready once it has ended.
 * @param w the set.
 * @param p the process; the set keeps its own reference.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_process(mproc_waitset_t *w, mproc_process_t *p,
                                        size_t *slot);
/**
 * Adds a command, ready once it has ended.
 * @param w the set.
 * @param c the command; the set keeps its own reference.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_command(mproc_waitset_t *w, mproc_command_t *c,
                                        size_t *slot);
/**
 * Adds a queue, ready while it holds a message or is closed.
 * @param w the set.
 * @param q the queue; the set keeps its own reference.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_queue(mproc_waitset_t *w, mproc_queue_t *q, size_t *slot);
/**
 * Adds a descriptor of the program's, ready when readable.
 * @param w the set.
 * @param fd a POSIX file descriptor; on Windows a waitable HANDLE value (a
 *           sentinel, an event). Not duplicated: keep it open while it is
 *           in the set.
 * @param slot receives the member's slot.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_waitset_add_fd(mproc_waitset_t *w, int fd, size_t *slot);
/**
 * Removes a member, dropping the set's reference to it.
 * @param w the set.
 * @param slot the member's slot.
 * @return 0, or MPROC_EINVAL (a slot not in use).
 */
MPROC_API int mproc_waitset_remove(mproc_waitset_t *w, size_t slot);

/**
 * Waits until at least one member is ready, at most `timeout_ms`.
 * @param w the set.
 * @param timeout_ms how long to wait.
 * @param ready filled with the first `cap` ready slots in increasing
 *              order; NULL only with cap 0.
 * @param cap the capacity of `ready` (0: the count alone).
 * @param count receives how many members are ready (at least 1 on 0; 0 on
 *              MPROC_ETIMEDOUT).
 * @return 0, or MPROC_ETIMEDOUT, MPROC_EINVAL (an empty set, ready NULL
 *         with cap > 0; on Windows more than 64 members that are not
 *         ready).
 */
MPROC_API int mproc_waitset_wait(mproc_waitset_t *w, int64_t timeout_ms, size_t *ready,
                                 size_t cap, size_t *count);

/**
 * A descriptor readable while the queue holds a message or is closed (see
 * the top of this file). The first call starts a helper thread that
 * watches the queue for this handle; it stops when the handle is freed.
 * @param q the queue.
 * @param fd receives the descriptor, owned by the queue handle: never close
 *           it; valid until the handle is freed.
 * @return 0, or MPROC_EINVAL, MPROC_EMFILE, MPROC_ENOMEM.
 */
MPROC_API int mproc_queue_fileno(const mproc_queue_t *q, int *fd);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_WAIT_H */
