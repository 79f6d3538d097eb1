/**
 * @file mproc/connection.h
 * @brief Message channels between processes (Python's Pipe), and the
 * received-message handle shared with queues.
 *
 * mproc_conn_pipe makes two connected ends. Each message arrives whole and in
 * order; a message may be empty and at most MPROC_CONN_MAX_MESSAGE bytes.
 * Pass an end to a child as an argument (mproc_args_add_conn) and close the
 * ends each side does not use, as with Python's Pipe.
 *
 * A receive on a connection whose peer has closed (or died) returns
 * MPROC_EOF at once once the messages already sent are read. A send to a
 * peer that is gone returns MPROC_EPIPE; it never kills the process with
 * SIGPIPE (the signal is blocked for the sending thread during the write,
 * or MSG_NOSIGNAL is used; the program's disposition is left alone).
 *
 * Thread safety: sends from several threads are serialised, as are
 * receives; a send and a receive may run at the same time. No call starts
 * a thread. Every call may also give MPROC_EINVAL (a NULL, freed or
 * wrong-type handle or out-parameter, a bad timeout).
 */
#ifndef MPROC_CONNECTION_H
#define MPROC_CONNECTION_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest message a connection carries (2 GiB - 1). */
#define MPROC_CONN_MAX_MESSAGE ((size_t)0x7fffffff)

/**
 * Creates a connected pair (a socket pair; on Windows, a named pipe pair).
 * @param a receives the first end, the caller's: free with mproc_conn_free.
 * @param b receives the second end, the caller's: free with
 *          mproc_conn_free.
 * @param duplex non-zero: both ends send and receive; 0: `*a` only
 *               receives and `*b` only sends (Python's Pipe(duplex=False)
 *               order).
 * @return 0, or MPROC_EINVAL (a or b NULL), MPROC_EMFILE, MPROC_ENFILE,
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_conn_pipe(mproc_conn_t **a, mproc_conn_t **b, int duplex);

/**
 * Adopts a descriptor as a connection end: the other end is whatever the
 * socket is connected to, which must frame messages as mproc does (another
 * mproc end, or a Python multiprocessing Connection). For a descriptor
 * handed over from another process (Python's multiprocessing.reduction.
 * DupFd, SCM_RIGHTS) or a socket the program connected itself.
 *
 * The end owns `fd` once the call succeeds (it closes it when closed or
 * freed, and marks it close-on-exec); on failure `fd` is left to the
 * caller untouched. Bytes the descriptor's previous owner had already read
 * ahead of the stream are not there: hand an end over between messages,
 * before its old owner received from it.
 * Not supported on Windows (connections there are named pipes): always
 * MPROC_ENOTSUP.
 * @param out receives the end, the caller's: free with mproc_conn_free.
 * @param fd a connected stream socket (POSIX: AF_UNIX or TCP; the
 *           blocking mode is kept as it is).
 * @param readable 1 if this end receives, 0 if not.
 * @param writable 1 if this end sends, 0 if not; at least one of the two
 *                 is 1.
 * @return 0, or MPROC_EINVAL (out NULL; readable or writable not 0 or 1,
 *         or both 0), MPROC_EBADF (fd is not open), MPROC_ETYPE (fd is not
 *         a connected stream socket: a pipe, a file, a datagram or a
 *         listening socket...), MPROC_ENOTSUP (Windows), MPROC_EMFILE,
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_conn_from_fd(mproc_conn_t **out, int fd, int readable,
                                 int writable);

/**
 * Sends one message (copied into the channel before returning), waiting at
 * most `timeout_ms` for the channel to have room.
 * @param c this end.
 * @param data the bytes; may be NULL only when len is 0.
 * @param len how many bytes, at most MPROC_CONN_MAX_MESSAGE.
 * @param timeout_ms how long to wait for room.
 * @return 0, or MPROC_ETOOBIG (over MPROC_CONN_MAX_MESSAGE), MPROC_ENOTSUP
 *         (a receive-only end), MPROC_ECLOSED (this end was closed),
 *         MPROC_EPIPE (the peer is gone), MPROC_ETIMEDOUT (no room in time:
 *         nothing was sent, or -- when the message had been partly written
 *         -- the message is lost and this end can no longer send:
 *         MPROC_ESTATE from then on), MPROC_EINVAL.
 */
MPROC_API int mproc_conn_send(mproc_conn_t *c, const void *data, size_t len,
                              int64_t timeout_ms);
/**
 * Receives one message, waiting at most `timeout_ms`. The deadline holds
 * while a large message is still arriving: on MPROC_ETIMEDOUT what has
 * arrived of it stays with the connection, and the next receive (from any
 * thread, by any of the receive calls) goes on with that same message, so
 * nothing is lost or skipped. A timeout of 0 never waits, not for data and
 * not for another thread's receive in progress.
 * @param c this end.
 * @param out receives the message, the caller's: free with mproc_msg_free.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_EOF (the peer closed and every message was read),
 *         MPROC_ETIMEDOUT, MPROC_ENOTSUP (a send-only end), MPROC_ECLOSED,
 *         MPROC_ECORRUPT (the stream broke mid-message), MPROC_ENOMEM,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_conn_recv(mproc_conn_t *c, mproc_msg_t **out,
                              int64_t timeout_ms);
/**
 * Receives one message into the caller's buffer, whole or not at all
 * (mproc/common.h, "Buffers").
 * @param c this end.
 * @param buf the buffer; NULL only with cap 0.
 * @param cap its size; 0 (buf NULL) asks for the next message's size.
 * @param len receives the message's size.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETOOBIG (cap too small: the message stays for the
 *         next receive and *len says its size), and the errors of
 *         mproc_conn_recv.
 */
MPROC_API int mproc_conn_recv_into(mproc_conn_t *c, void *buf, size_t cap,
                                   size_t *len, int64_t timeout_ms);
/**
 * Waits until a receive would not block (a message, or the end of the
 * stream, is there), at most `timeout_ms`.
 * @param c this end.
 * @param timeout_ms how long to wait.
 * @return 0 when a receive would not block, MPROC_ETIMEDOUT when nothing
 *         arrived in time, MPROC_ENOTSUP (a send-only end), MPROC_ECLOSED,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_conn_poll(mproc_conn_t *c, int64_t timeout_ms);
/**
 * Closes this end; the peer sees MPROC_EOF. Further use gives
 * MPROC_ECLOSED. Closing twice is harmless. The handle must still be
 * freed. Never blocks.
 * @param c this end.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_conn_close(mproc_conn_t *c);
/**
 * The underlying descriptor, for an event loop (on Windows a waitable
 * HANDLE value; see mproc/common.h). Its readiness is a hint, not the
 * whole truth: a receive reads ahead, so after one message more whole
 * messages may wait inside the connection while the descriptor is quiet.
 * After each wake-up, receive (or mproc_conn_poll(c, 0)) until
 * MPROC_ETIMEDOUT before waiting on the descriptor again;
 * mproc_waitset_wait (mproc/wait.h) does this itself.
 * @param c this end.
 * @param fd receives the descriptor, owned by the connection: never close
 *           it; valid until the end is closed or freed.
 * @return 0, or MPROC_ECLOSED, MPROC_EINVAL.
 */
MPROC_API int mproc_conn_fileno(const mproc_conn_t *c, int *fd);
/**
 * Whether this end can send (whether or not it was closed since).
 * @param c this end.
 * @param writable receives 1 if it can, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_conn_writable(const mproc_conn_t *c, int *writable);
/**
 * Whether this end can receive (whether or not it was closed since).
 * @param c this end.
 * @param readable receives 1 if it can, else 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_conn_readable(const mproc_conn_t *c, int *readable);
/**
 * Releases this handle; the channel closes when no handle (in this
 * process) refers to it any more. Accepts NULL. Never blocks.
 * @param c this end, or NULL.
 */
MPROC_API void mproc_conn_free(mproc_conn_t *c);

/* ---- Messages (shared with queues) -------------------------------------- */

/**
 * A received message's bytes.
 * @param m the message.
 * @param data receives its bytes, owned by the message, valid until
 *             mproc_msg_free.
 * @return 0, or MPROC_EINVAL (a freed message or another handle:
 *         mproc/common.h, "Handles").
 */
MPROC_API int mproc_msg_data(const mproc_msg_t *m, const void **data);
/**
 * A received message's size.
 * @param m the message.
 * @param size receives the number of bytes.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_msg_size(const mproc_msg_t *m, size_t *size);
/**
 * Frees a message. Accepts NULL; a second free frees nothing.
 * @param m the message, or NULL.
 */
MPROC_API void mproc_msg_free(mproc_msg_t *m);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_CONNECTION_H */
