/**
 * @file mproc/task.h
 * @brief The one registry of task functions.
 *
 * A task is a function registered under a name, so that another process
 * running the same program (a spawned child, a pool worker) finds it by
 * that name. There are two kinds, in one namespace:
 *  - a process task (mproc_task_fn), the body of a child process
 *    (mproc_process_new, and a pool's initializer): it reads an argument
 *    list and returns the child's exit status;
 *  - a pool task (mproc_pool_fn), run by a pool's workers
 *    (mproc_pool_apply, map, imap): it turns input bytes into output bytes
 *    (mproc/pool.h).
 * A name belongs to one function of one kind. Naming a task of the other
 * kind where one kind is wanted fails with MPROC_ETYPE, saying which kind
 * it is.
 *
 * Define tasks with the macros, which register them before main() runs:
 * @code
 *   MPROC_TASK(greet) { ... }            // sees const mproc_args_t *args
 *   MPROC_POOL_TASK(square) { ... }      // sees in, len and out
 * @endcode
 * The registry is process-wide and thread-safe; registering takes a lock
 * for a moment and never blocks otherwise.
 */
#ifndef MPROC_TASK_H
#define MPROC_TASK_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A process task: runs in the child; its return value (0..255) is the
 * child's exit status. `args` is lent by the library for the call: read it,
 * never free it.
 */
typedef int (*mproc_task_fn)(const mproc_args_t *args);

/** What a pool task writes its output or its error into (mproc/pool.h);
 * lent to the task for the call. */
typedef struct mproc_result_s mproc_result_t;

/**
 * A pool task: runs in a worker; reads `len` bytes at `in` (lent for the
 * call), sets its output with mproc_result_set or mproc_result_alloc and
 * returns 0, or returns a negative MPROC_E* code (ideally through
 * mproc_result_error, with a message).
 */
typedef int (*mproc_pool_fn)(const void *in, size_t len, mproc_result_t *out);

/**
 * Registers a task: a process task (`fn`, with `pool_fn` NULL) or a pool
 * task (`pool_fn`, with `fn` NULL). Registering the same function under
 * the same name again is harmless. Thread-safe; does not block. A spawned
 * child finds tasks by name, so register the same names in every run of
 * the program (the macros do).
 * @param name the name, copied.
 * @param fn a process task, or NULL.
 * @param pool_fn a pool task, or NULL.
 * @return 0, or MPROC_EINVAL (name NULL or empty; neither or both
 *         functions given), MPROC_EEXIST (the name belongs to another
 *         function, of either kind; the message says which kind),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_task_register(const char *name, mproc_task_fn fn, mproc_pool_fn pool_fn);

/**
 * Finds a registered task. Thread-safe; does not block.
 * @param name the task's name.
 * @param fn receives its process body (NULL for a pool task), or NULL when
 *           a process task is not wanted.
 * @param pool_fn receives its pool body (NULL for a process task), or NULL
 *                when a pool task is not wanted.
 * @return 0, or MPROC_EINVAL (name NULL, or both pointers NULL),
 *         MPROC_ENOTFOUND (no task of that name), MPROC_ETYPE (the task is
 *         of the kind whose pointer was NULL).
 */
MPROC_API int mproc_task_lookup(const char *name, mproc_task_fn *fn, mproc_pool_fn *pool_fn);

/**
 * Defines a process task and registers it under its own name before main()
 * runs. The body sees `const mproc_args_t *args`. Works in C and C++ (GCC
 * and Clang); a registration failure (a name taken) shows at the first use
 * of the name.
 * @param name the task's name, an identifier.
 */
#define MPROC_TASK(name)                                                       \
  static int mproc__task_##name(const mproc_args_t *args);                     \
  __attribute__((constructor)) static void mproc__register_##name(void) {      \
    (void)mproc_task_register(#name, mproc__task_##name, NULL);                \
  }                                                                            \
  static int mproc__task_##name(const mproc_args_t *args __attribute__((unused)))

/**
 * Defines a pool task and registers it before main() runs. The body sees
 * `const void *in`, `size_t len` and `mproc_result_t *out`; a body that
 * uses none of them compiles without warnings under -Wall -Wextra.
 * @param name the task's name, an identifier.
 */
#define MPROC_POOL_TASK(name)                                                  \
  static int mproc__pool_task_##name(const void *in, size_t len,               \
                                     mproc_result_t *out);                     \
  __attribute__((constructor)) static void mproc__register_pool_##name(void) { \
    (void)mproc_task_register(#name, NULL, mproc__pool_task_##name);           \
  }                                                                            \
  static int mproc__pool_task_##name(const void *in __attribute__((unused)),   \
                                     size_t len __attribute__((unused)),       \
                                     mproc_result_t *out __attribute__((unused)))

#ifdef __cplusplus
}
#endif

#endif /* MPROC_TASK_H */
