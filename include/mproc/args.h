/**
 * @file mproc/args.h
 * @brief The ordered argument list a child process's task receives.
 *
 * A list holds bytes, strings, 64-bit integers, doubles, raw file
 * descriptors and shared handles (connections, locks, queues, ...). The
 * parent builds it and gives it to mproc_process_new; the task reads it by
 * index, and a read of the wrong type is an error (MPROC_ETYPE), never a
 * crash. Handles and descriptors reach the child as descriptors: inherited
 * under fork, passed over the bootstrap socket (SCM_RIGHTS) under spawn and
 * forkserver.
 *
 * Descriptor lifetime (mproc_args_add_fd, and every handle added):
 *  - adding duplicates the descriptor (close-on-exec); the caller's `fd`
 *    stays the caller's and may be closed at once;
 *  - the parent's duplicate is closed when the list goes: at
 *    mproc_args_free for a list never handed over; for a list given to
 *    mproc_process_new, once mproc_process_start has succeeded (the child
 *    has its own copy by then, as Python drops its references after
 *    start), or at mproc_process_free if the process was never started;
 *  - in the child, mproc_args_get_fd gives the list's own descriptor: the
 *    task must not close() it (the list closes it when the task returns);
 *    dup() it to keep it beyond the task or to hand it to something that
 *    closes it.
 *
 * Thread safety: a list may be read from several threads at once; adding to
 * a list while another thread uses it is not allowed. No call blocks.
 */
#ifndef MPROC_ARGS_H
#define MPROC_ARGS_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The type of one argument. The numbers are part of the ABI. */
typedef enum mproc_arg_type_e {
  /** Bytes (mproc_args_add_bytes). */
  MPROC_ARG_BYTES = 1,
  /** A NUL-terminated string (mproc_args_add_str). */
  MPROC_ARG_STR = 2,
  /** A 64-bit signed integer (mproc_args_add_i64). */
  MPROC_ARG_I64 = 3,
  /** A double (mproc_args_add_f64). */
  MPROC_ARG_F64 = 4,
  /** A raw descriptor (mproc_args_add_fd). */
  MPROC_ARG_FD = 5,
  /** A connection (mproc_args_add_conn). */
  MPROC_ARG_CONN = 6,
  /** A lock (mproc_args_add_lock, mproc/sync.h). */
  MPROC_ARG_LOCK = 7,
  /** A re-entrant lock (mproc_args_add_rlock). */
  MPROC_ARG_RLOCK = 8,
  /** A semaphore (mproc_args_add_sem). */
  MPROC_ARG_SEM = 9,
  /** An event (mproc_args_add_event). */
  MPROC_ARG_EVENT = 10,
  /** A condition (mproc_args_add_cond). */
  MPROC_ARG_COND = 11,
  /** A barrier (mproc_args_add_barrier). */
  MPROC_ARG_BARRIER = 12,
  /** A shared memory block (mproc_args_add_shm, mproc/shm.h). */
  MPROC_ARG_SHM = 13,
  /** A queue (mproc_args_add_queue, mproc/queue.h). */
  MPROC_ARG_QUEUE = 14,
  /** A shared dict (mproc_args_add_dict, mproc/shared_containers.h). */
  MPROC_ARG_DICT = 15,
  /** A shared list (mproc_args_add_list, mproc/shared_containers.h). */
  MPROC_ARG_LIST = 16
} mproc_arg_type_t;

/**
 * Creates an empty list.
 * @param out receives the list, the caller's: free it with mproc_args_free
 *            unless it is handed to a function documented as taking it
 *            (mproc_process_new).
 * @return 0, or MPROC_EINVAL (out NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_new(mproc_args_t **out);
/**
 * Frees a list and releases what it holds (its descriptors are closed,
 * its handles' references dropped). Accepts NULL. A list lent to a task
 * is not the task's to free (MPROC_EINVAL becomes the last error).
 * @param args the list, or NULL.
 */
MPROC_API void mproc_args_free(mproc_args_t *args);

/**
 * Appends a copy of `len` bytes; the caller keeps its buffer.
 * @param args the list.
 * @param data the bytes; may be NULL only when len is 0.
 * @param len how many bytes.
 * @return 0, or MPROC_EINVAL (args not a list, data NULL with len > 0),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_bytes(mproc_args_t *args, const void *data, size_t len);
/**
 * Appends a copy of a NUL-terminated string.
 * @param args the list.
 * @param str the string; copied.
 * @return 0, or MPROC_EINVAL (args not a list, str NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_str(mproc_args_t *args, const char *str);
/**
 * Appends a 64-bit integer.
 * @param args the list.
 * @param value the integer.
 * @return 0, or MPROC_EINVAL (args not a list), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_i64(mproc_args_t *args, int64_t value);
/**
 * Appends a double.
 * @param args the list.
 * @param value the number.
 * @return 0, or MPROC_EINVAL (args not a list), MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_f64(mproc_args_t *args, double value);
/**
 * Appends a raw descriptor (a socket, a file, ...). The list holds its own
 * close-on-exec duplicate, so the caller may close `fd` at once; when that
 * duplicate is closed is stated at the top of this file.
 * @param args the list.
 * @param fd an open descriptor; not taken.
 * @return 0, or MPROC_EBADF (fd negative or not open), MPROC_EINVAL (args
 *         not a list), MPROC_EMFILE (no descriptor left for the duplicate),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_fd(mproc_args_t *args, int fd);
/**
 * Appends a connection: the child gets its own handle on the same channel.
 * The list holds its own reference; the caller keeps and frees `conn`.
 * @param args the list.
 * @param conn the connection; not taken.
 * @return 0, or MPROC_EINVAL (args or conn not a handle of its type),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_args_add_conn(mproc_args_t *args, mproc_conn_t *conn);

/**
 * The number of arguments.
 * @param args the list.
 * @param count receives the number.
 * @return 0, or MPROC_EINVAL (args not a list, count NULL).
 */
MPROC_API int mproc_args_count(const mproc_args_t *args, size_t *count);
/**
 * The type of argument `index`.
 * @param args the list.
 * @param index 0 for the first argument.
 * @param type receives the type.
 * @return 0, or MPROC_EINVAL (args not a list, type NULL), MPROC_ERANGE
 *         (no such index).
 */
MPROC_API int mproc_args_type(const mproc_args_t *args, size_t index,
                              mproc_arg_type_t *type);

/**
 * Reads bytes. Every getter fails with MPROC_EINVAL (a NULL or non-list
 * handle, a NULL out-parameter), MPROC_ERANGE (no such index) or
 * MPROC_ETYPE (the argument has another type; the message says which).
 * @param args the list.
 * @param index the argument's index.
 * @param data receives a pointer into the list, valid while the list lives;
 *             not to be freed.
 * @param len receives the number of bytes.
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE.
 */
MPROC_API int mproc_args_get_bytes(const mproc_args_t *args, size_t index,
                                   const void **data, size_t *len);
/**
 * Reads a string.
 * @param args the list.
 * @param index the argument's index.
 * @param str receives a pointer into the list, NUL-terminated, valid while
 *            the list lives; not to be freed.
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE.
 */
MPROC_API int mproc_args_get_str(const mproc_args_t *args, size_t index,
                                 const char **str);
/**
 * Reads an integer.
 * @param args the list.
 * @param index the argument's index.
 * @param value receives the integer.
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE.
 */
MPROC_API int mproc_args_get_i64(const mproc_args_t *args, size_t index,
                                 int64_t *value);
/**
 * Reads a double.
 * @param args the list.
 * @param index the argument's index.
 * @param value receives the number.
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE.
 */
MPROC_API int mproc_args_get_f64(const mproc_args_t *args, size_t index,
                                 double *value);
/**
 * Reads a descriptor: the list's own, which stays the list's. Do not
 * close() it; dup() it to keep it beyond the list (see the top of this
 * file).
 * @param args the list.
 * @param index the argument's index.
 * @param fd receives the descriptor, open while the list lives.
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE.
 */
MPROC_API int mproc_args_get_fd(const mproc_args_t *args, size_t index, int *fd);
/**
 * Reads a connection.
 * @param args the list.
 * @param index the argument's index.
 * @param out receives a new handle on the connection, the caller's: free
 *            it with mproc_conn_free (the list keeps its own).
 * @return 0, or MPROC_EINVAL, MPROC_ERANGE, MPROC_ETYPE, MPROC_ENOMEM.
 */
MPROC_API int mproc_args_get_conn(const mproc_args_t *args, size_t index,
                                  mproc_conn_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_ARGS_H */
