/*
 * mproc/connection.h: message channels between processes (Python's Pipe).
 *
 * mproc_pipe makes two connected ends. Each message arrives whole and in
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
MPROC_API int mproc_pipe(mproc_conn_t **a, mproc_conn_t **b, int duplex);

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
 * for the next receive. Other errors as mproc_conn_recv.
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
/* The underlying descriptor, for an event loop: readable when poll would
 * succeed. Owned by the connection. Errors: ECLOSED. */
MPROC_API int mproc_conn_fileno(mproc_conn_t *c, int *fd);
/* 1 if this end can send / receive. */
MPROC_API int mproc_conn_writable(const mproc_conn_t *c);
MPROC_API int mproc_conn_readable(const mproc_conn_t *c);
/* Releases this handle; the channel closes when no handle (in this
 * process) refers to it any more. Accepts NULL. */
MPROC_API void mproc_conn_free(mproc_conn_t *c);

/* ---- Messages (shared with queues) -------------------------------------- */

/* A received message: its bytes stay valid until mproc_msg_free. A freed
 * message (or another handle) gives NULL / 0 and MPROC_EINVAL as the
 * thread's last error (mproc/common.h, "Handles"). */
MPROC_API const void *mproc_msg_data(const mproc_msg_t *m);
MPROC_API size_t mproc_msg_size(const mproc_msg_t *m);
/* Accepts NULL; a second free frees nothing. */
MPROC_API void mproc_msg_free(mproc_msg_t *m);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_CONNECTION_H */
