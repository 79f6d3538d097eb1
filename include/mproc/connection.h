/*
 * mproc/connection.h: message channels between processes (Python's Pipe).
 *
 * mproc_conn_pipe makes two connected ends. Each message arrives whole and in
 * order; a message may be empty and at most MPROC_CONN_MAX_MESSAGE bytes.
 * Pass an end to a child as an argument (mproc_args_add_conn) and close the
 * ends each side does not use, as with Python's Pipe.
 *
 * A receive on a connection whose peer has closed (or died) returns
 * MPROC_EOF at once once the messages already sent are read. A send to a
 * peer that is gone returns MPROC_EPIPE; it never kills the process with
 * SIGPIPE.
 *
 * Thread safety: sends from several threads are serialised, as are
 * receives; a send and a receive may run at the same time.
 */
#ifndef MPROC_CONNECTION_H
#define MPROC_CONNECTION_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest message a connection carries (2 GiB - 1). */
#define MPROC_CONN_MAX_MESSAGE ((size_t)0x7fffffff)

/*
 * Creates a connected pair. With `duplex` non-zero both ends send and
 * receive; with 0, `*a` only receives and `*b` only sends (Python's
 * Pipe(duplex=False) order). Free each end with mproc_conn_free.
 * Errors: EINVAL, EMFILE and other OS errors.
 */
MPROC_API int mproc_conn_pipe(mproc_conn_t **a, mproc_conn_t **b, int duplex);

/*
 * Sends one message (copied into the channel before returning), waiting at
 * most `timeout_ms` for the channel to have room. Errors: EINVAL, ETOOBIG
 * (over MPROC_CONN_MAX_MESSAGE), ENOTSUP (a receive-only end), ECLOSED (this
 * end was closed), EPIPE (the peer is gone), ETIMEDOUT (no room in time:
 * nothing was sent, or -- when the message had been partly written -- the
 * message is lost and this end can no longer send: ESTATE from then on).
 */
MPROC_API int mproc_conn_send(mproc_conn_t *c, const void *data, size_t len,
                              int64_t timeout_ms);
/*
 * Receives one message into a new library-owned message (free with
 * mproc_msg_free). Errors: EOF (the peer closed and every message was
 * read), ETIMEDOUT, ENOTSUP (a send-only end), ECLOSED, ECORRUPT (the
 * stream broke mid-message).
 * The deadline holds while a large message is still arriving: on ETIMEDOUT
 * what has arrived of it stays with the connection, and the next receive
 * (from any thread, by any of the receive calls) goes on with that same
 * message, so nothing is lost or skipped. A timeout of 0 never waits, not
 * for data and not for another thread's receive in progress.
 */
MPROC_API int mproc_conn_recv(mproc_conn_t *c, mproc_msg_t **out,
                              int64_t timeout_ms);
/*
 * Receives one message into `buf`. *len is set to the message's size. If
 * `cap` is too small the call returns ETOOBIG and the message stays queued
 * for the next receive; cap 0 with buf NULL asks for the next message's
 * size this way (mproc/common.h, "Buffers"). Other errors as
 * mproc_conn_recv.
 */
MPROC_API int mproc_conn_recv_into(mproc_conn_t *c, void *buf, size_t cap,
                                   size_t *len, int64_t timeout_ms);
/* Returns 0 when a receive would not block (a message, or the end of the
 * stream, is there), ETIMEDOUT when nothing arrived within `timeout_ms`.
 * Errors: ENOTSUP, ECLOSED. */
MPROC_API int mproc_conn_poll(mproc_conn_t *c, int64_t timeout_ms);
/* Closes this end; the peer sees EOF. Further use gives ECLOSED. Closing
 * twice is harmless. The handle must still be freed. */
MPROC_API int mproc_conn_close(mproc_conn_t *c);
/* The underlying descriptor, for an event loop. Owned by the connection.
 * Its readiness is a hint, not the whole truth: a receive reads ahead, so
 * after one message more whole messages may wait inside the connection
 * while the descriptor is quiet. After each wake-up, receive (or
 * mproc_conn_poll(c, 0)) until ETIMEDOUT before waiting on the descriptor
 * again; mproc_waitset_wait (mproc/wait.h) does this itself.
 * Errors: ECLOSED. */
MPROC_API int mproc_conn_fileno(const mproc_conn_t *c, int *fd);
/* *writable / *readable = 1 if this end can send / receive (whether or
 * not it was closed since), else 0. Errors: EINVAL. */
MPROC_API int mproc_conn_writable(const mproc_conn_t *c, int *writable);
MPROC_API int mproc_conn_readable(const mproc_conn_t *c, int *readable);
/* Releases this handle; the channel closes when no handle (in this
 * process) refers to it any more. Accepts NULL. */
MPROC_API void mproc_conn_free(mproc_conn_t *c);

/* ---- Messages (shared with queues) -------------------------------------- */

/* A received message: *data gets its bytes, valid until mproc_msg_free,
 * and *size their number. Errors: EINVAL (a freed message or another
 * handle: mproc/common.h, "Handles"). */
MPROC_API int mproc_msg_data(const mproc_msg_t *m, const void **data);
MPROC_API int mproc_msg_size(const mproc_msg_t *m, size_t *size);
/* Accepts NULL; a second free frees nothing. */
MPROC_API void mproc_msg_free(mproc_msg_t *m);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_CONNECTION_H */
