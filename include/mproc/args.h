/*
 * mproc/args.h: the ordered argument list a child process's task receives.
 *
 * A list holds bytes, strings, 64-bit integers, doubles, raw file
 * descriptors and shared handles (connections, locks, queues, ...). The
 * parent builds it and gives it to mproc_process_new; the task reads it by
 * index, and a read of the wrong type is an error (MPROC_ETYPE), never a
 * crash. Handles and descriptors reach the child as descriptors: inherited
 * under fork, passed over the bootstrap socket (SCM_RIGHTS) under spawn and
 * forkserver.
 *
 * Thread safety: a list may be read from several threads at once; adding to
 * a list while another thread uses it is not allowed.
 */
#ifndef MPROC_ARGS_H
#define MPROC_ARGS_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The type of one argument. The numbers are part of the ABI. */
typedef enum mproc_arg_type_e {
  MPROC_ARG_BYTES = 1,
  MPROC_ARG_STR = 2,
  MPROC_ARG_I64 = 3,
  MPROC_ARG_F64 = 4,
  MPROC_ARG_FD = 5,
  MPROC_ARG_CONN = 6,
  MPROC_ARG_LOCK = 7,
  MPROC_ARG_RLOCK = 8,
  MPROC_ARG_SEM = 9,
  MPROC_ARG_EVENT = 10,
  MPROC_ARG_COND = 11,
  MPROC_ARG_BARRIER = 12,
  MPROC_ARG_SHM = 13,
  MPROC_ARG_QUEUE = 14,
  MPROC_ARG_DICT = 15,
  MPROC_ARG_LIST = 16
} mproc_arg_type_t;

/* Creates an empty list. Free it with mproc_args_free unless it is handed
 * to a function documented as taking it. Errors: EINVAL, ENOMEM. */
MPROC_API int mproc_args_new(mproc_args_t **out);
/* Frees a list and releases what it holds. Accepts NULL. */
MPROC_API void mproc_args_free(mproc_args_t *args);

/* Appending. Each copies its value; the caller keeps what it passed. */
MPROC_API int mproc_args_add_bytes(mproc_args_t *args, const void *data, size_t len);
/* A NUL-terminated string. */
MPROC_API int mproc_args_add_str(mproc_args_t *args, const char *str);
MPROC_API int mproc_args_add_i64(mproc_args_t *args, int64_t value);
MPROC_API int mproc_args_add_f64(mproc_args_t *args, double value);
/* A raw descriptor (a socket, a file, ...). The list holds its own
 * close-on-exec duplicate, so the caller may close `fd` at once.
 * Errors: EBADF when `fd` is not open. */
MPROC_API int mproc_args_add_fd(mproc_args_t *args, int fd);
/* A connection: the child gets its own handle on the same channel. */
MPROC_API int mproc_args_add_conn(mproc_args_t *args, mproc_conn_t *conn);

/* *count gets the number of arguments. Errors: EINVAL. */
MPROC_API int mproc_args_count(const mproc_args_t *args, size_t *count);
/* Type of argument `index`. Errors: EINVAL, ERANGE (no such index). */
MPROC_API int mproc_args_type(const mproc_args_t *args, size_t index,
                              mproc_arg_type_t *type);

/*
 * Reading by index. Errors: EINVAL (NULL), ERANGE (no such index), ETYPE
 * (the argument has another type; the message says which).
 * Pointers returned by get_bytes/get_str/get_fd belong to the list and stay
 * valid while it lives. Handles returned by get_conn (and the other handle
 * getters) are new references owned by the caller: free them with their
 * type's *_free.
 */
MPROC_API int mproc_args_get_bytes(const mproc_args_t *args, size_t index,
                                   const void **data, size_t *len);
MPROC_API int mproc_args_get_str(const mproc_args_t *args, size_t index,
                                 const char **str);
MPROC_API int mproc_args_get_i64(const mproc_args_t *args, size_t index,
                                 int64_t *value);
MPROC_API int mproc_args_get_f64(const mproc_args_t *args, size_t index,
                                 double *value);
/* The list's descriptor. Duplicate it to keep it beyond the list. */
MPROC_API int mproc_args_get_fd(const mproc_args_t *args, size_t index, int *fd);
MPROC_API int mproc_args_get_conn(const mproc_args_t *args, size_t index,
                                  mproc_conn_t **out);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_ARGS_H */
