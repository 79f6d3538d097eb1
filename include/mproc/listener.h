/**
 * @file mproc/listener.h
 * @brief Authenticated connections between processes that did not start
 * each other, on one machine or across machines (Python's
 * multiprocessing.connection.Listener and Client).
 *
 * A listener waits on an address; a client connects to it. Both sides
 * then prove they hold the same authentication key (mproc/authkey.h) and
 * each gets an ordinary connection (mproc/connection.h: send, receive,
 * poll, close, MPROC_EOF when the peer closes or dies).
 *
 * Addresses are strings:
 *  - "unix:/path/to/socket": a socket file (or just "/path/to/socket"),
 *    made with mode 0600 and removed at close;
 *  - "abstract:name": Linux's abstract namespace (no file);
 *  - "tcp:host:port": TCP over IPv4 or IPv6 by name or address;
 *  - "tcp:[::1]:port": an IPv6 address, in brackets.
 * Port 0 lets the system choose: mproc_listener_address says which.
 *
 * Wire compatibility: the framing and the handshake are those of Python's
 * multiprocessing.connection, byte for byte, so either side may be
 * Python's own Listener or Client (authkey=the same bytes):
 *  - a message is a 4-byte big-endian length and its bytes (and for
 *    messages over 2 GiB - 1, FF FF FF FF and an 8-byte length);
 *  - each side sends "#CHALLENGE#" and random bytes, the other answers
 *    with an HMAC of them under the key, and the challenger replies
 *    "#WELCOME#" or "#FAILURE#". mproc challenges in Python 3.12's form
 *    ("{sha256}" + 40 bytes), which Python 3.11 answers with HMAC-MD5 and
 *    3.12+ with HMAC-SHA256; it answers both forms. Digests are compared
 *    in constant time.
 * A peer with another key, or one that does not speak the protocol, fails
 * with MPROC_EAUTH on both sides and no message passes.
 *
 * Options (mproc_net_opts_t, NULL for all defaults) serve listeners and
 * clients alike. Handles are thread-safe. Each listener runs one helper
 * thread, from mproc_listener_new to its close, that takes and
 * authenticates connections. Every call may also give MPROC_EINVAL (a
 * NULL, freed or wrong-type handle or out-parameter, a bad timeout) and
 * MPROC_ENOMEM.
 *
 * Windows: TCP (IPv4 and IPv6) and socket files (Windows 10 1803 and
 * later; not under Wine 8, which has no AF_UNIX); no abstract names. The
 * connections are Winsock sockets: mproc_conn_fileno gives the SOCKET,
 * which a program waits on with WSAPoll or WSAEventSelect (or through a
 * wait set), not with WaitForSingleObject. Socket files get no mode there:
 * the directory's ACL decides who reaches them.
 */
#ifndef MPROC_LISTENER_H
#define MPROC_LISTENER_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A listening socket that hands out authenticated connections. */
typedef struct mproc_listener_s mproc_listener_t;
/** Options of listeners and clients. */
typedef struct mproc_net_opts_s mproc_net_opts_t;

/* ---- Options ------------------------------------------------------------ */

/**
 * Creates network options, all defaults. May be freed right after the
 * listener or client is made.
 * @param out receives the options, the caller's: free with
 *            mproc_net_opts_free.
 * @return 0, or MPROC_EINVAL, MPROC_ENOMEM.
 */
MPROC_API int mproc_net_opts_new(mproc_net_opts_t **out);
/**
 * Frees network options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_net_opts_free(mproc_net_opts_t *opts);
/**
 * Sets the key to authenticate with. Default: this process's key
 * (mproc_authkey_get) at the time the listener or client is made.
 * @param opts the options.
 * @param key the key, copied.
 * @param len its size, 1 to MPROC_AUTHKEY_MAX.
 * @return 0, or MPROC_EINVAL (NULL, 0 or more than MPROC_AUTHKEY_MAX
 *         bytes).
 */
MPROC_API int mproc_net_opts_set_authkey(mproc_net_opts_t *opts, const void *key,
                                         size_t len);
/**
 * Turns the handshake off (Python's authkey=None): anyone who can reach
 * the address gets a connection.
 * @param opts the options.
 * @param on 1 for no handshake; default 0.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_net_opts_set_no_auth(mproc_net_opts_t *opts, int on);
/**
 * Limits how long one peer's handshake may take before it fails
 * (MPROC_EAUTH on a listener, MPROC_ETIMEDOUT on a client).
 * @param opts the options.
 * @param timeout_ms the limit; default 20000 ms (Python's
 *                   CONNECTION_TIMEOUT); MPROC_FOREVER for none.
 * @return 0, or MPROC_EINVAL (0 or a negative value other than
 *         MPROC_FOREVER).
 */
MPROC_API int mproc_net_opts_set_handshake_timeout(mproc_net_opts_t *opts,
                                                   int64_t timeout_ms);
/**
 * Whether a raw HMAC-MD5 answer (Python 3.11's) is accepted.
 * @param opts the options.
 * @param on default 1; 0 accepts only SHA-256 and SHA-384 answers (Python
 *           3.12+ and mproc).
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_net_opts_set_accept_md5(mproc_net_opts_t *opts, int on);
/**
 * Sets the kernel's queue of connections not taken yet.
 * @param opts the options.
 * @param backlog at least 1; default 128.
 * @return 0, or MPROC_EINVAL (< 1).
 */
MPROC_API int mproc_net_opts_set_backlog(mproc_net_opts_t *opts, int backlog);
/**
 * Sets the most connections a listener holds at once in its handshake or
 * waiting for mproc_listener_accept; beyond it new peers wait in the
 * kernel's backlog.
 * @param opts the options.
 * @param n 1 to 1024; default 32.
 * @return 0, or MPROC_EINVAL (0, or above 1024).
 */
MPROC_API int mproc_net_opts_set_max_pending(mproc_net_opts_t *opts, size_t n);
/**
 * Sets the largest message the connections send or accept. A peer
 * announcing a longer one breaks the connection's receiving side
 * (MPROC_ETOOBIG from then on) and gets no memory for it.
 * @param opts the options.
 * @param bytes at least 1; default MPROC_CONN_MAX_MESSAGE.
 * @return 0, or MPROC_EINVAL (0).
 */
MPROC_API int mproc_net_opts_set_max_message(mproc_net_opts_t *opts, size_t bytes);
/**
 * Buffers sends on the connections made with these options: messages
 * gather in this process, up to `bytes`, and go in one write when the next
 * would not fit, at a receive or poll on the same connection (a reply can
 * only come to what was sent), at mproc_conn_flush, or at close (which
 * waits at most 10 s for room). Many small one-way messages then cost a
 * fraction of a system call each. Until one of those moments a message is
 * not on its way: a program that sends on this connection and then waits
 * on another must flush first.
 * @param opts the options.
 * @param bytes the buffer's size; default 0: every send writes at once.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_net_opts_set_send_buffer(mproc_net_opts_t *opts, size_t bytes);
/**
 * Whether mproc_listener_accept returns peers that failed to authenticate
 * (MPROC_EAUTH, one call per peer, as Python's accept raises
 * AuthenticationError) or skips them silently.
 * @param opts the options.
 * @param on default 1.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_net_opts_set_report_failures(mproc_net_opts_t *opts, int on);

/* ---- Listener ----------------------------------------------------------- */

/**
 * Listens on an address. Connections are taken and authenticated by a
 * helper thread of the listener, many at once, each within the handshake
 * timeout: a peer that sends garbage, announces a huge message, never
 * finishes or floods the listener with connections costs only itself.
 * Blocks only to bind (and resolve a host name).
 * @param out receives the listener, the caller's: free with
 *            mproc_listener_free.
 * @param address the address (see the top of this file), or NULL for a
 *                new private one: a socket file in a new directory of mode
 *                0700 on POSIX, TCP on 127.0.0.1 on Windows.
 * @param opts options, or NULL for the defaults.
 * @return 0, or MPROC_EINVAL (a malformed address), MPROC_EADDRINUSE,
 *         MPROC_EACCES, MPROC_ENOENT (the socket file's directory does not
 *         exist), MPROC_ENAMETOOLONG, MPROC_ENOTFOUND (the host does not
 *         resolve), MPROC_ENOTSUP (abstract names off Linux),
 *         MPROC_EMFILE.
 */
MPROC_API int mproc_listener_new(mproc_listener_t **out, const char *address,
                                 const mproc_net_opts_t *opts);
/**
 * Takes the next authenticated connection, waiting at most `timeout_ms`.
 * After an MPROC_EAUTH or MPROC_EMFILE the listener goes on: call accept
 * again.
 * @param l the listener.
 * @param out receives the connection, the caller's: free with
 *            mproc_conn_free.
 * @param timeout_ms how long to wait.
 * @return 0, or MPROC_ETIMEDOUT, MPROC_ECLOSED, MPROC_EAUTH (a peer that
 *         failed to authenticate, with report_failures; the message names
 *         the peer and why: another key, not the protocol, a handshake too
 *         slow), MPROC_EMFILE and other errors of the listening socket,
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_listener_accept(mproc_listener_t *l, mproc_conn_t **out,
                                    int64_t timeout_ms);
/**
 * The address as bound, e.g. "tcp:127.0.0.1:40312" (the chosen port in
 * place of 0).
 * @param l the listener.
 * @param address receives the address, owned by the listener, valid until
 *                mproc_listener_free (closing does not change it).
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_listener_address(const mproc_listener_t *l, const char **address);
/**
 * A descriptor for an event loop, readable while mproc_listener_accept
 * would return at once (a connection, a failure to report, or closed).
 * @param l the listener.
 * @param fd receives the descriptor, owned by the listener: never close
 *           it; valid until mproc_listener_free.
 * @return 0, or MPROC_ECLOSED, MPROC_EINVAL.
 */
MPROC_API int mproc_listener_fileno(const mproc_listener_t *l, int *fd);
/**
 * Stops listening: the socket file goes (if it is still the one the
 * listener made), connections not yet taken close, the helper thread ends,
 * and a call waiting in accept returns MPROC_ECLOSED. Closing twice is
 * harmless.
 * @param l the listener.
 * @return 0, or MPROC_EINVAL.
 */
MPROC_API int mproc_listener_close(mproc_listener_t *l);
/**
 * Closes (if still open) and frees. Accepts NULL.
 * @param l the listener, or NULL.
 */
MPROC_API void mproc_listener_free(mproc_listener_t *l);

/* ---- Client ------------------------------------------------------------- */

/**
 * Connects to a listener and authenticates, all within `timeout_ms` (the
 * handshake also within the options' handshake timeout).
 * @param out receives the connection, the caller's: free with
 *            mproc_conn_free.
 * @param address the listener's address.
 * @param opts options, or NULL for the defaults.
 * @param timeout_ms how long connecting may take.
 * @return 0, or MPROC_EINVAL (a malformed address), MPROC_ECONNREFUSED,
 *         MPROC_ENOENT (no socket file), MPROC_ENOTFOUND (the host does not
 *         resolve), MPROC_ETIMEDOUT, MPROC_EAUTH (either side refused the
 *         other's key), MPROC_ECONNRESET (the listener's side dropped the
 *         connection during the handshake), MPROC_EMFILE and other OS
 *         errors.
 */
MPROC_API int mproc_conn_connect(mproc_conn_t **out, const char *address,
                                 const mproc_net_opts_t *opts, int64_t timeout_ms);

/**
 * Sends what a buffered connection (mproc_net_opts_set_send_buffer) holds,
 * waiting at most `timeout_ms` for room.
 * @param c the connection.
 * @param timeout_ms how long to wait for room.
 * @return 0 (at once when nothing is buffered, and for any other
 *         connection), MPROC_ETIMEDOUT (nothing of it went: it stays
 *         buffered), MPROC_EPIPE, MPROC_ECLOSED, MPROC_ESTATE (an earlier
 *         send broke off mid-message), MPROC_EINVAL.
 */
MPROC_API int mproc_conn_flush(mproc_conn_t *c, int64_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_LISTENER_H */
