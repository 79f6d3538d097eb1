/*
 * mproc/wait.h: waiting on many objects at once (Python's
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
 */
#ifndef MPROC_WAIT_H
#define MPROC_WAIT_H

#include <mproc/common.h>
#include <mproc/listener.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mproc_waitset_s mproc_waitset_t;

MPROC_API int mproc_waitset_new(mproc_waitset_t **out);
/* Accepts NULL. */
MPROC_API void mproc_waitset_free(mproc_waitset_t *w);

/* Each adds one member and sets *slot. Errors: EINVAL (NULL, a freed
 * handle; a connection end that only sends), ECLOSED (a closed
 * listener), ESTATE (a process or command not started). */
MPROC_API int mproc_waitset_add_conn(mproc_waitset_t *w, mproc_conn_t *c, size_t *slot);
MPROC_API int mproc_waitset_add_listener(mproc_waitset_t *w, mproc_listener_t *l,
                                         size_t *slot);
MPROC_API int mproc_waitset_add_process(mproc_waitset_t *w, mproc_process_t *p,
                                        size_t *slot);
MPROC_API int mproc_waitset_add_command(mproc_waitset_t *w, mproc_command_t *c,
                                        size_t *slot);
MPROC_API int mproc_waitset_add_queue(mproc_waitset_t *w, mproc_queue_t *q, size_t *slot);
/* A descriptor of the program's, ready when readable: a POSIX file
 * descriptor; on Windows a waitable HANDLE value (a sentinel, an event). */
MPROC_API int mproc_waitset_add_fd(mproc_waitset_t *w, int fd, size_t *slot);
/* Errors: EINVAL (a slot not in use). */
MPROC_API int mproc_waitset_remove(mproc_waitset_t *w, size_t slot);

/*
 * Waits until at least one member is ready, at most `timeout_ms`. On 0,
 * *count is how many are ready (at least 1) and ready[] holds the first
 * `cap` of their slots in increasing order (cap 0, ready NULL: the count
 * alone). Errors: ETIMEDOUT (*count 0), EINVAL (an empty set, ready NULL
 * with cap > 0; on Windows more than 64 members that are not ready).
 */
MPROC_API int mproc_waitset_wait(mproc_waitset_t *w, int64_t timeout_ms, size_t *ready,
                                 size_t cap, size_t *count);

/* A descriptor readable while the queue holds a message or is closed (see
 * above). The first call starts a helper thread that watches the queue for
 * this handle; it stops when the handle is freed. Owned by the queue
 * handle. Errors: EINVAL. */
MPROC_API int mproc_queue_fileno(const mproc_queue_t *q, int *fd);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_WAIT_H */
