/**
 * @file mproc/common.h
 * @brief What every part of the API shares: the export macro, version
 * numbers, error codes and the error-reporting functions, the timeout
 * convention, the rule for caller buffers, handles, and process-wide facts.
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
 *  - **The one exception: MPROC_EOWNERDEAD is negative and is a success.**
 *    The acquire calls of mproc/sync.h (mproc_lock_acquire,
 *    mproc_rlock_acquire, mproc_cond_acquire, mproc_cond_wait and their
 *    try_ forms) return it when the lock's previous owner died holding it:
 *    the lock is now held by the caller, and the data it guards may be
 *    half-updated. A generic `rc < 0` check would treat that acquired lock
 *    as a failure and never release it. The recovery idiom:
 *    @code
 *    int rc = mproc_lock_acquire(lock, MPROC_FOREVER);
 *    if (rc == MPROC_EOWNERDEAD) {
 *      repair_shared_data();     // the dead owner may have left it half-done
 *      rc = 0;                   // the lock is held: go on as after 0
 *    }
 *    if (rc < 0) return rc;      // a real failure: not acquired
 *    ...                         // use the data
 *    mproc_lock_release(lock);
 *    @endcode
 *    No other call returns a negative code on success.
 *  - Every call that takes a handle or an out-parameter may also return
 *    MPROC_EINVAL (a NULL, freed or wrong-type handle, a NULL
 *    out-parameter, a bad timeout) and MPROC_ENOMEM (memory ran out); the
 *    per-function lists name the other codes, and when each occurs.
 *  - A handle a call does not change is `const` (queries; a query that
 *    reaps a child internally is still one). Calls that wait (join, wait,
 *    poll) take part in the object's protocol and are not const.
 *  - Only the codes of MPROC_ERRNO_MAP below leave the library (see
 *    mproc_errno_t). MPROC_EFAULT is in the table for completeness only:
 *    the library never hands the OS a bad address, so no call returns it.
 *    Nor does any call return MPROC_ESRCH any more: a child the system
 *    reaped before the library held on to it counts as ended, its status
 *    lost (MPROC_ECHILD from the exitcode calls).
 *  - Buffers the caller passes follow one rule (see "Buffers" below).
 *  - On failure, mproc_last_error() gives the calling thread a sentence
 *    saying what went wrong ("task 'resize' is not registered").
 *  - `mproc_<noun>_new(&out, ...)` creates; the handle is the caller's, freed
 *    with `mproc_<noun>_free(h)`, which accepts NULL. On failure `*out` is
 *    left unchanged and nothing needs freeing.
 *  - Timeouts are int64_t milliseconds: MPROC_FOREVER (-1) waits without
 *    limit, 0 never blocks, any other negative value is MPROC_EINVAL (see
 *    MPROC_FOREVER).
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
 *  - Blocking calls restart by themselves when a signal interrupts them
 *    (EINTR) and keep their deadline: no call returns MPROC_EINTR because
 *    a signal handler ran, and a timeout is not lengthened by one.
 *
 * Process-wide effects of the library as a whole are stated in
 * mproc/process.h (threads, signals, exit).
 *
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
 *
 * Handles. Every handle the library hands out -- objects, option objects,
 * argument lists and received messages (mproc_msg_t) alike -- is checked
 * on every call without reading memory the library has freed: a handle's
 * memory is never given back to the system allocator, and is reused for a
 * new handle of the same type only after it has waited behind at least
 * 1024 other freed handles of that type. Until then:
 *  - a call given a freed handle, or a handle of another type (a cast),
 *    fails with MPROC_EINVAL and does nothing; mproc_last_error() says
 *    `"<call>: the handle was freed or is not a mproc_queue_t"`;
 *  - `mproc_<noun>_free` of an already freed handle (a double free), of a
 *    handle of another type, or of a handle the library only lends for
 *    the length of a call (a task's mproc_args_t, the mproc_future_t a
 *    completion callback receives) frees nothing and sets MPROC_EINVAL as
 *    the thread's last error. Threads freeing one handle together free it
 *    once.
 *
 * Not detected: a stale handle whose memory was reused by then (the call
 * acts on the new handle of the same type), a pointer the library never
 * handed out, and a handle freed while another thread is still inside a
 * call on it (order every call on a handle before its free, as for
 * close(2)). The check costs one memory load per call and takes no lock.
 */
#ifndef MPROC_COMMON_H
#define MPROC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @def MPROC_API
 * Marks what leaves the library. On Windows a program links mproc.dll
 * through its import library, so declarations are dllimport unless it
 * defines MPROC_STATIC to link a static build. Elsewhere it is empty for a
 * program and sets default visibility while the library is built.
 */
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

/** Major version of these headers: changes with an incompatible API. */
#define MPROC_VERSION_MAJOR 0
/** Minor version of these headers: changes when the API grows. */
#define MPROC_VERSION_MINOR 1
/** Patch version of these headers: changes with fixes only. */
#define MPROC_VERSION_PATCH 0
/** The version as one number, major * 10000 + minor * 100 + patch. */
#define MPROC_VERSION_NUMBER                                                   \
  (MPROC_VERSION_MAJOR * 10000 + MPROC_VERSION_MINOR * 100 + MPROC_VERSION_PATCH)
/** The version as a string, "major.minor.patch". */
#define MPROC_VERSION_STRING "0.1.0"

/**
 * The version of the library actually loaded, as MPROC_VERSION_NUMBER
 * would compute it. Compare with the macro to detect a header/library
 * mismatch. Cannot fail; thread-safe; never blocks.
 * @return the loaded library's version number.
 */
MPROC_API unsigned mproc_version(void);
/**
 * The loaded library's version as text. Cannot fail; thread-safe.
 * @return a static string such as "0.1.0", never NULL; never free it.
 */
MPROC_API const char *mproc_version_string(void);

/* ---- Errors ------------------------------------------------------------- */

/**
 * @def MPROC_ERRNO_MAP
 * The table of error codes as an X-macro: `XX(name, value, message)` for
 * each code, where `name` lacks the MPROC_ prefix, `value` is the code and
 * `message` is what mproc_strerror returns for it. Expand it to build
 * tables of your own (a binding's list of codes, a switch). The numbers are
 * part of the ABI and never change; mproc_errno_t spells the same codes
 * out (tests/c/test_common.c checks that the two agree).
 *
 * Operating-system errors carry the negated Linux errno value (as libuv
 * does on Linux); errors of mproc's own live at -3000 and below. These are
 * the only codes that leave the library, from any call and in any
 * out-parameter that carries a code (mproc_future_error). An
 * operating-system error the table does not list (ELOOP, EROFS, ...) is
 * reported as MPROC_EIO, and a pool task's own code that is not in the
 * table as MPROC_ETASK; mproc_last_error() then keeps the original, e.g.
 * "...: Too many levels of symbolic links (ELOOP, code -40)".
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

/**
 * The error codes, as MPROC_ERRNO_MAP lists them, and MPROC_OK. Calls
 * return them as int; the enum names them for switch statements and
 * debuggers.
 */
typedef enum mproc_errno_e {
  /** The OS refused the operation (a signal to a process not ours, a name owned by another user). */
  MPROC_EPERM = -1,
  /** No such file or directory: a named object or executable that does not exist. */
  MPROC_ENOENT = -2,
  /** No such process. */
  MPROC_ESRCH = -3,
  /** Interrupted system call. Blocking calls restart by themselves, so no call returns it because a signal interrupted a wait. */
  MPROC_EINTR = -4,
  /** I/O error; also every OS error the table does not list (mproc_last_error keeps the original). */
  MPROC_EIO = -5,
  /** Argument list too long (a command line or environment over the OS limit). */
  MPROC_E2BIG = -7,
  /** Exec format error: a command file that is not an executable. */
  MPROC_ENOEXEC = -8,
  /** Bad file descriptor: a descriptor given to the library is not open. */
  MPROC_EBADF = -9,
  /** No child processes: a child's exit status was lost (reaped by someone else: SIGCHLD set to SIG_IGN, or waitpid(-1) in the host). */
  MPROC_ECHILD = -10,
  /** Resource temporarily unavailable (the OS is out of processes or threads). */
  MPROC_EAGAIN = -11,
  /** Not enough memory; any call that allocates may return it. */
  MPROC_ENOMEM = -12,
  /** Permission denied: a file, executable or named object the caller may not use. */
  MPROC_EACCES = -13,
  /** Bad address. */
  MPROC_EFAULT = -14,
  /** Resource busy: a try_acquire that found the object taken. */
  MPROC_EBUSY = -16,
  /** Already exists: a named object whose name is taken. */
  MPROC_EEXIST = -17,
  /** Not a directory (a path, a working directory). */
  MPROC_ENOTDIR = -20,
  /** Is a directory (a path that should name a file). */
  MPROC_EISDIR = -21,
  /** Invalid argument: a NULL, freed or wrong-type handle, a NULL out-parameter, a bad timeout or value. */
  MPROC_EINVAL = -22,
  /** The system's file table is full. */
  MPROC_ENFILE = -23,
  /** This process has too many open descriptors. */
  MPROC_EMFILE = -24,
  /** No space left on device (shared memory: /dev/shm full). */
  MPROC_ENOSPC = -28,
  /** Broken pipe: writing to a peer that has closed. */
  MPROC_EPIPE = -32,
  /** Result out of range: a value that does not fit its out-parameter. */
  MPROC_ERANGE = -34,
  /** A name or path too long. */
  MPROC_ENAMETOOLONG = -36,
  /** Function not implemented by the running kernel. */
  MPROC_ENOSYS = -38,
  /** A value too large: a counter (a semaphore) would overflow. */
  MPROC_EOVERFLOW = -75,
  /** Not supported on this platform or in this configuration (fork on Windows, an MPI pool without the plug-in). */
  MPROC_ENOTSUP = -95,
  /** Address already in use (a listener's address). */
  MPROC_EADDRINUSE = -98,
  /** Connection reset by peer. */
  MPROC_ECONNRESET = -104,
  /** A call that waits reached its timeout without its outcome. */
  MPROC_ETIMEDOUT = -110,
  /** Connection refused: nothing listens at the address. */
  MPROC_ECONNREFUSED = -111,
  /** Empty: a get on a queue with nothing to take within the timeout. */
  MPROC_EEMPTY = -3001,
  /** Full: a put on a queue with no room within the timeout. */
  MPROC_EFULL = -3002,
  /** The object is closed (a queue, connection or pool after close; the library shutting down at exit). */
  MPROC_ECLOSED = -3003,
  /** End of file: the peer closed; a receive returns it at once instead of hanging. */
  MPROC_EOF = -3004,
  /** Not valid in the object's current state (join before start, start twice, release of a lock not held). */
  MPROC_ESTATE = -3005,
  /** Not found: a task name that is not registered, a key not in a dict. */
  MPROC_ENOTFOUND = -3006,
  /** Too big: a value longer than the caller's buffer (its size is reported), or over a limit. */
  MPROC_ETOOBIG = -3007,
  /** Previous owner died, **lock acquired**: a success, not a failure (see the top of this file for the idiom). */
  MPROC_EOWNERDEAD = -3008,
  /** A pool worker died while running the task (the message names the signal); the worker is replaced. */
  MPROC_EWORKER = -3009,
  /** Broken: the barrier or pool can no longer be used. */
  MPROC_EBROKEN = -3010,
  /** Shared state is corrupt: a shared object whose memory another process damaged. */
  MPROC_ECORRUPT = -3011,
  /** Wrong type: an argument of another type, a named object of another kind, a task of the other kind. */
  MPROC_ETYPE = -3012,
  /** A spawned child did not enter through mproc_main, or could not read its start-up request. */
  MPROC_EBOOTSTRAP = -3013,
  /** A pool task failed with a code of its own that the table does not list. */
  MPROC_ETASK = -3014,
  /** Authentication of a connection failed (wrong key, or a peer that does not speak the protocol). */
  MPROC_EAUTH = -3015,
  /** A bug in mproc: an unexpected internal failure (report it with the text of mproc_last_error()). */
  MPROC_EINTERNAL = -3099,
  /** Success. */
  MPROC_OK = 0
} mproc_errno_t;

/**
 * A static, human-readable description of a code. Cannot fail;
 * thread-safe.
 * @param code an error code (a negative MPROC_E* value, or 0).
 * @return a static string, never NULL (codes the library does not know get
 *         a generic text); never free it.
 */
MPROC_API const char *mproc_strerror(int code);
/**
 * The code's symbolic name without prefix. Cannot fail; thread-safe.
 * @param code an error code.
 * @return a static string such as "ETIMEDOUT" ("OK" for 0, "UNKNOWN" for
 *         a code no table knows), never NULL.
 */
MPROC_API const char *mproc_err_name(int code);
/**
 * The detailed message of the most recent failed mproc call on the calling
 * thread. Thread-local: each thread has its own. Successful calls leave it
 * alone.
 * @return "" if no call failed on this thread yet, never NULL; owned by
 *         the library, valid until this thread's next failing mproc call.
 */
MPROC_API const char *mproc_last_error(void);
/**
 * The code of that same most recent failure on this thread.
 * @return the code, or 0 if no call failed on this thread yet.
 */
MPROC_API int mproc_last_error_code(void);

/* ---- Timeouts ----------------------------------------------------------- */

/**
 * Waits without limit, as a timeout.
 *
 * Every call that can wait takes `int64_t timeout_ms`:
 *  - MPROC_FOREVER (-1) waits without limit;
 *  - 0 never blocks (not even for a lock a peer holds);
 *  - a positive value waits about that many milliseconds; values beyond
 *    about 35 years, up to INT64_MAX, wait without limit (they never
 *    overflow into a short or negative wait);
 *  - any other negative value fails at once with MPROC_EINVAL, before the
 *    call has any effect, and mproc_last_error() names the call and the
 *    value ("mproc_queue_get: timeout_ms is -2; ...").
 */
#define MPROC_FOREVER ((int64_t)-1)

/* ---- Opaque handle types ------------------------------------------------ */

/** An argument list for a task: mproc/args.h. */
typedef struct mproc_args_s mproc_args_t;
/** A child process running a task: mproc/process.h. */
typedef struct mproc_process_s mproc_process_t;
/** Options for mproc_process_new: mproc/process.h. */
typedef struct mproc_process_opts_s mproc_process_opts_t;
/** One end of a connection (Python's Pipe): mproc/connection.h. */
typedef struct mproc_conn_s mproc_conn_t;
/** A command (an executable) run as a child: mproc/command.h. */
typedef struct mproc_command_s mproc_command_t;
/** Options for a command: mproc/command.h. */
typedef struct mproc_command_opts_s mproc_command_opts_t;
/** A lock shared between processes: mproc/sync.h. */
typedef struct mproc_lock_s mproc_lock_t;
/** A re-entrant lock shared between processes: mproc/sync.h. */
typedef struct mproc_rlock_s mproc_rlock_t;
/** A semaphore (plain or bounded) shared between processes: mproc/sync.h. */
typedef struct mproc_sem_s mproc_sem_t;
/** An event flag shared between processes: mproc/sync.h. */
typedef struct mproc_event_s mproc_event_t;
/** A condition variable shared between processes: mproc/sync.h. */
typedef struct mproc_cond_s mproc_cond_t;
/** A barrier shared between processes: mproc/sync.h. */
typedef struct mproc_barrier_s mproc_barrier_t;
/** A block of shared memory: mproc/shm.h. */
typedef struct mproc_shm_s mproc_shm_t;
/** Options for creating any shared object (named or anonymous): mproc/sync.h. */
typedef struct mproc_shared_opts_s mproc_shared_opts_t;
/** A queue of messages shared between processes: mproc/queue.h. */
typedef struct mproc_queue_s mproc_queue_t;
/** Options for mproc_queue_new: mproc/queue.h. */
typedef struct mproc_queue_opts_s mproc_queue_opts_t;
/** A message taken from a queue or connection, owned by the caller: mproc/queue.h. */
typedef struct mproc_msg_s mproc_msg_t;
/** A pool of worker processes: mproc/pool.h. */
typedef struct mproc_pool_s mproc_pool_t;
/** Options for mproc_pool_new: mproc/pool.h. */
typedef struct mproc_pool_opts_s mproc_pool_opts_t;
/** The pending result of a pool task: mproc/pool.h. */
typedef struct mproc_future_s mproc_future_t;
/** An ordered or unordered stream of a pool map's results: mproc/pool.h. */
typedef struct mproc_imap_s mproc_imap_t;
/** Options for the pool's map calls: mproc/pool.h. */
typedef struct mproc_map_opts_s mproc_map_opts_t;
/** The output a command captured: mproc/command.h. */
typedef struct mproc_capture_s mproc_capture_t;

/* ---- Process-wide information ------------------------------------------- */

/**
 * Number of CPUs this process may run on (its affinity mask). Cannot fail;
 * thread-safe.
 * @return at least 1.
 */
MPROC_API int mproc_cpu_count(void);
/**
 * The calling process's id. Cannot fail; thread-safe. (The id of the
 * process that started this one is mproc_parent_pid, mproc/process.h.)
 * @return the process id.
 */
MPROC_API int64_t mproc_getpid(void);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_COMMON_H */
