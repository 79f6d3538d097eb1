/*
 * mproc: multiprocessing for native code.
 *
 * common.h holds what every part of the API shares: the export macro,
 * version numbers, error codes and the error-reporting functions, the
 * timeout convention, the rule for caller buffers, and process-wide
 * information.
 *
 * Conventions (they hold for every header under mproc/):
 *  - Every call that can fail returns an int: 0 on success or a negative
 *    MPROC_E* code. Results travel through out-parameters: a query on a
 *    handle (mproc_queue_qsize, mproc_shm_size, mproc_lock_name, ...)
 *    returns its answer through one, never as the return value. Only calls
 *    that take no handle and cannot fail return a value (mproc_version,
 *    mproc_strerror, mproc_err_name, mproc_last_error*, mproc_getpid,
 *    mproc_cpu_count, mproc_parent_pid, mproc_current_process_*,
 *    mproc_get_start_method, mproc_start_method_name).
 *  - A handle a call does not change is `const` (queries; a query that
 *    reaps a child internally is still one). Calls that wait (join, wait,
 *    poll) take part in the object's protocol and are not const.
 *  - Only the codes of MPROC_ERRNO_MAP below leave the library (see
 *    "Errors").
 *  - Buffers the caller passes follow one rule (see "Buffers" below).
 *  - On failure, mproc_last_error() gives the calling thread a sentence
 *    saying what went wrong ("task 'resize' is not registered").
 *  - mproc_<noun>_new(&out, ...) creates; mproc_<noun>_free(h) destroys and
 *    accepts NULL.
 *  - Timeouts are int64_t milliseconds: MPROC_FOREVER (-1) waits without
 *    limit, 0 never blocks, any other negative value is MPROC_EINVAL (see
 *    "Timeouts" below).
 *  - Handles are safe to use from any thread unless their header says
 *    otherwise. A freed handle is detected, not dereferenced (see
 *    "Handles" below).
 *  - Descriptors (`int fd`) are the program's C runtime descriptors: on
 *    POSIX, OS file descriptors; on Windows, CRT fds (from _open, _fileno,
 *    _open_osfhandle), never HANDLEs. The exceptions are the descriptors
 *    the library hands out for waiting (mproc_process_sentinel,
 *    mproc_command_sentinel, mproc_conn_fileno): on Windows those are
 *    HANDLE values in an int, as Python's Process.sentinel and
 *    PipeConnection.fileno() are; wait on them with
 *    WaitForSingleObject((HANDLE)(intptr_t)fd, ...). Descriptors the
 *    library hands out stay the library's: never close them.
 */
#ifndef MPROC_COMMON_H
#define MPROC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MPROC_API marks what leaves the library. On Windows a program links
 * mproc.dll through its import library, so declarations are dllimport
 * unless it defines MPROC_STATIC to link a static build. */
#if defined(_WIN32)
#if defined(MPROC_BUILDING)
#define MPROC_API __declspec(dllexport)
#elif defined(MPROC_STATIC)
#define MPROC_API
#else
#define MPROC_API __declspec(dllimport)
#endif
#elif defined(MPROC_BUILDING) && defined(__GNUC__)
#define MPROC_API __attribute__((visibility("default")))
#else
#define MPROC_API
#endif

/* ---- Version ------------------------------------------------------------ */

#define MPROC_VERSION_MAJOR 0
#define MPROC_VERSION_MINOR 1
#define MPROC_VERSION_PATCH 0
#define MPROC_VERSION_NUMBER                                                   \
  (MPROC_VERSION_MAJOR * 10000 + MPROC_VERSION_MINOR * 100 + MPROC_VERSION_PATCH)
#define MPROC_VERSION_STRING "0.1.0"

/* The version of the library actually loaded, as MPROC_VERSION_NUMBER
 * would compute it. Compare with the macro to detect a header/library
 * mismatch. */
MPROC_API unsigned mproc_version(void);
/* Static string such as "0.1.0". Never NULL. */
MPROC_API const char *mproc_version_string(void);

/* ---- Errors ------------------------------------------------------------- */

/*
 * Error codes. Operating-system errors carry the negated Linux errno value
 * (as libuv does on Linux); errors of mproc's own live at -3000 and below.
 * The numbers are part of the ABI and never change.
 *
 * These are the only codes that leave the library, from any call and in
 * any out-parameter that carries a code (mproc_future_error). An
 * operating-system error the table does not list (ELOOP, EROFS, ...) is
 * reported as MPROC_EIO, and a pool task's own code that is not in the
 * table as MPROC_ETASK; mproc_last_error() then keeps the original, e.g.
 * "...: Too many levels of symbolic links (ELOOP, code -40)".
 * XX(name, value, message)
 */
#define MPROC_ERRNO_MAP(XX)                                                    \
  XX(EPERM, -1, "operation not permitted")                                     \
  XX(ENOENT, -2, "no such file or directory")                                  \
  XX(ESRCH, -3, "no such process")                                             \
  XX(EINTR, -4, "interrupted system call")                                     \
  XX(EIO, -5, "i/o error")                                                     \
  XX(E2BIG, -7, "argument list too long")                                      \
  XX(ENOEXEC, -8, "exec format error")                                         \
  XX(EBADF, -9, "bad file descriptor")                                         \
  XX(ECHILD, -10, "no child processes")                                        \
  XX(EAGAIN, -11, "resource temporarily unavailable")                          \
  XX(ENOMEM, -12, "not enough memory")                                         \
  XX(EACCES, -13, "permission denied")                                         \
  XX(EFAULT, -14, "bad address")                                               \
  XX(EBUSY, -16, "resource busy or locked")                                    \
  XX(EEXIST, -17, "already exists")                                            \
  XX(ENOTDIR, -20, "not a directory")                                          \
  XX(EISDIR, -21, "is a directory")                                            \
  XX(EINVAL, -22, "invalid argument")                                          \
  XX(ENFILE, -23, "file table overflow")                                       \
  XX(EMFILE, -24, "too many open files")                                       \
  XX(ENOSPC, -28, "no space left on device")                                   \
  XX(EPIPE, -32, "broken pipe")                                                \
  XX(ERANGE, -34, "result out of range")                                       \
  XX(ENAMETOOLONG, -36, "name too long")                                       \
  XX(ENOSYS, -38, "function not implemented")                                  \
  XX(EOVERFLOW, -75, "value too large for defined data type")                  \
  XX(ENOTSUP, -95, "operation not supported")                                  \
  XX(EADDRINUSE, -98, "address already in use")                                \
  XX(ECONNRESET, -104, "connection reset by peer")                             \
  XX(ETIMEDOUT, -110, "timed out")                                             \
  XX(ECONNREFUSED, -111, "connection refused")                                 \
  XX(EEMPTY, -3001, "empty: nothing to take")                                  \
  XX(EFULL, -3002, "full: no room to put")                                     \
  XX(ECLOSED, -3003, "object is closed")                                       \
  XX(EOF, -3004, "end of file: the peer closed")                               \
  XX(ESTATE, -3005, "operation not valid in the object's current state")       \
  XX(ENOTFOUND, -3006, "not found")                                            \
  XX(ETOOBIG, -3007, "too big")                                                \
  XX(EOWNERDEAD, -3008, "previous owner died; lock acquired")                  \
  XX(EWORKER, -3009, "worker process died")                                    \
  XX(EBROKEN, -3010, "broken: the barrier or pool can no longer be used")     \
  XX(ECORRUPT, -3011, "shared state is corrupt")                               \
  XX(ETYPE, -3012, "wrong type")                                               \
  XX(EBOOTSTRAP, -3013, "spawned child did not enter through mproc_main")      \
  XX(ETASK, -3014, "task failed")                                              \
  XX(EAUTH, -3015, "authentication failed")                                    \
  XX(EINTERNAL, -3099, "internal error")

typedef enum mproc_errno_e {
#define MPROC__ERRNO_ENUM(name, value, message) MPROC_##name = value,
  MPROC_ERRNO_MAP(MPROC__ERRNO_ENUM)
#undef MPROC__ERRNO_ENUM
  MPROC_OK = 0
} mproc_errno_t;

/* A static, human-readable description of `code`. Never NULL; codes the
 * library does not know get a generic text. */
MPROC_API const char *mproc_strerror(int code);
/* The code's symbolic name without prefix, e.g. "ETIMEDOUT". Never NULL. */
MPROC_API const char *mproc_err_name(int code);
/* The detailed message of the most recent failed mproc call on the calling
 * thread, or "" if none failed yet. Thread-local: valid until this thread's
 * next failing mproc call. Never NULL. Successful calls leave it alone. */
MPROC_API const char *mproc_last_error(void);
/* The code of that same most recent failure on this thread, or 0. */
MPROC_API int mproc_last_error_code(void);

/* ---- Timeouts and buffers ----------------------------------------------- */

/*
 * Timeouts. Every call that can wait takes `int64_t timeout_ms`:
 *  - MPROC_FOREVER (-1) waits without limit;
 *  - 0 never blocks;
 *  - a positive value waits about that many milliseconds; values beyond
 *    about 35 years, up to INT64_MAX, wait without limit (they never
 *    overflow into a short or negative wait);
 *  - any other negative value fails at once with MPROC_EINVAL, before the
 *    call has any effect, and mproc_last_error() names the call and the
 *    value ("mproc_queue_get: timeout_ms is -2; ...").
 */
#define MPROC_FOREVER ((int64_t)-1)


/*
 * Buffers. A call that fills a caller's buffer takes `buf` and `cap` (its
 * size) and reports the size through an out-parameter. `buf` may be NULL
 * only when `cap` is 0 (EINVAL otherwise), and cap 0 never writes to it.
 *  - Calls that copy one whole value -- a message (mproc_conn_recv_into,
 *    mproc_queue_get_into), and every other *_into or *_get call into a
 *    caller's buffer -- copy all of it or nothing: a value longer than
 *    `cap` is not taken; the call fails with MPROC_ETOOBIG and sets *len
 *    to its size. So cap 0 (buf NULL) asks for the size without taking
 *    anything; an empty value fits any buffer (and a message is taken).
 *  - List calls (mproc_active_children, mproc_pool_worker_pids) fill up to
 *    `cap` entries and set the total count: cap 0 asks for the count.
 *  - A byte-stream read (mproc_command_read) has no next message to size:
 *    cap 0 is MPROC_EINVAL there.
 */

/* ---- Opaque handle types ------------------------------------------------ */

/*
 * Handles. Every handle the library hands out -- objects, option objects,
 * argument lists and received messages (mproc_msg_t) alike -- is checked
 * on every call without reading memory the library has freed: a handle's
 * memory is never given back to the system allocator, and is reused for a
 * new handle of the same type only after it has waited behind at least
 * 1024 other freed handles of that type. Until then:
 *  - a call given a freed handle, or a handle of another type (a cast),
 *    fails with MPROC_EINVAL and does nothing; mproc_last_error() says
 *    "<call>: the handle was freed or is not a mproc_queue_t";
 *  - mproc_<noun>_free of an already freed handle (a double free), of a
 *    handle of another type, or of a handle the library only lends for
 *    the length of a call (a task's mproc_args_t, the mproc_future_t a
 *    completion callback receives) frees nothing and sets MPROC_EINVAL as
 *    the thread's last error. Threads freeing one handle together free it
 *    once.
 * Not detected: a stale handle whose memory was reused by then (the call
 * acts on the new handle of the same type), a pointer the library never
 * handed out, and a handle freed while another thread is still inside a
 * call on it (order every call on a handle before its free, as for
 * close(2)). The check costs one memory load per call and takes no lock.
 */

typedef struct mproc_args_s mproc_args_t;
typedef struct mproc_process_s mproc_process_t;
typedef struct mproc_process_opts_s mproc_process_opts_t;
typedef struct mproc_conn_s mproc_conn_t;
typedef struct mproc_command_s mproc_command_t;
typedef struct mproc_command_opts_s mproc_command_opts_t;
typedef struct mproc_lock_s mproc_lock_t;
typedef struct mproc_rlock_s mproc_rlock_t;
typedef struct mproc_sem_s mproc_sem_t;
typedef struct mproc_event_s mproc_event_t;
typedef struct mproc_cond_s mproc_cond_t;
typedef struct mproc_barrier_s mproc_barrier_t;
typedef struct mproc_shm_s mproc_shm_t;
typedef struct mproc_shared_opts_s mproc_shared_opts_t;
typedef struct mproc_queue_s mproc_queue_t;
typedef struct mproc_queue_opts_s mproc_queue_opts_t;
typedef struct mproc_msg_s mproc_msg_t;
typedef struct mproc_pool_s mproc_pool_t;
typedef struct mproc_pool_opts_s mproc_pool_opts_t;
typedef struct mproc_future_s mproc_future_t;
typedef struct mproc_imap_s mproc_imap_t;
typedef struct mproc_map_opts_s mproc_map_opts_t;
typedef struct mproc_capture_s mproc_capture_t;

/* ---- Process-wide information ------------------------------------------- */

/* Number of CPUs this process may run on (its affinity mask), at least 1.
 * Cannot fail. */
MPROC_API int mproc_cpu_count(void);
/* The calling process's id. Cannot fail. (The id of the process that
 * started this one is mproc_parent_pid, mproc/process.h.) */
MPROC_API int64_t mproc_getpid(void);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_COMMON_H */
