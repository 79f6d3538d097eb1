/**
 * @file mproc/authkey.h
 * @brief Authentication keys (Python's Process.authkey).
 *
 * Every process has a key: only processes that hold the same key can
 * connect to each other through a Listener and a Client
 * (mproc/listener.h). A main process makes its key from 32 random bytes
 * of the operating system on first use. A child gets the key of the
 * process that made its mproc_process_t (or the one set for it before
 * start) inside its launch request: a key never appears on a child's
 * command line or in its environment.
 *
 * Keys are byte strings of 1 to MPROC_AUTHKEY_MAX bytes. A call that hands
 * a key out fills the caller's buffer (mproc/common.h, "Buffers"): *len
 * gets the key's size; a buffer shorter than that gives MPROC_ETOOBIG and
 * nothing is copied, so cap 0 (buf NULL) asks for the size.
 *
 * Thread-safe; no call blocks.
 */
#ifndef MPROC_AUTHKEY_H
#define MPROC_AUTHKEY_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The longest key, in bytes. */
#define MPROC_AUTHKEY_MAX ((size_t)1024)

/**
 * This process's key.
 * @param buf the caller's buffer; NULL only with cap 0.
 * @param cap its size; 0 asks for the key's size.
 * @param len receives the key's size.
 * @return 0, or MPROC_EINVAL (len NULL, or buf NULL with cap > 0),
 *         MPROC_ETOOBIG (cap short; *len says how much is needed), and OS
 *         errors (MPROC_EIO) when a main process can not get random bytes
 *         for its first key.
 */
MPROC_API int mproc_authkey_get(void *buf, size_t cap, size_t *len);
/**
 * Replaces this process's key: children made from now on inherit it, and
 * listeners and clients made from now on use it by default.
 * @param key the key, copied.
 * @param len its size, 1 to MPROC_AUTHKEY_MAX.
 * @return 0, or MPROC_EINVAL (key NULL, len 0 or over MPROC_AUTHKEY_MAX).
 */
MPROC_API int mproc_authkey_set(const void *key, size_t len);

/**
 * The key a child made with these options gets, instead of this process's.
 * @param opts process options.
 * @param key the key, copied.
 * @param len its size, 1 to MPROC_AUTHKEY_MAX.
 * @return 0, or MPROC_EINVAL as mproc_authkey_set, or opts not options.
 */
MPROC_API int mproc_process_opts_set_authkey(mproc_process_opts_t *opts,
                                             const void *key, size_t len);
/**
 * Sets the key of a child not started yet (Python's `p.authkey = ...`).
 * @param p the process.
 * @param key the key, copied.
 * @param len its size, 1 to MPROC_AUTHKEY_MAX.
 * @return 0, or MPROC_EINVAL as mproc_authkey_set, MPROC_ESTATE (already
 *         started).
 */
MPROC_API int mproc_process_set_authkey(mproc_process_t *p, const void *key,
                                        size_t len);
/**
 * The key the child gets, or got.
 * @param p the process.
 * @param buf the caller's buffer; NULL only with cap 0.
 * @param cap its size.
 * @param len receives the key's size.
 * @return 0, or as mproc_authkey_get.
 */
MPROC_API int mproc_process_authkey(const mproc_process_t *p, void *buf,
                                    size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_AUTHKEY_H */
