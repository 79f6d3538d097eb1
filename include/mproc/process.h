/*
 * mproc/process.h: run a function in a child process (Python's
 * multiprocessing.Process).
 *
 * A task is a function registered under a name (MPROC_TASK, mproc/task.h).
 * The parent creates a
 * process from the task's name and an argument list, starts it, and joins
 * it. The child runs the task and exits with its return value.
 *
 *   MPROC_TASK(greet) {
 *     const char *who;
 *     if (mproc_args_get_str(args, 0, &who) != 0) return 1;
 *     printf("%s is running\n", who);
 *     return 0;
 *   }
 *
 *   int main(int argc, char **argv) {
 *     mproc_main(argc, argv);               // first line of main()
 *     mproc_args_t *args;
 *     mproc_args_new(&args);
 *     mproc_args_add_str(args, "child 1");
 *     mproc_process_t *p;
 *     mproc_process_new(&p, "greet", args, NULL);   // takes args
 *     mproc_process_start(p);
 *     mproc_process_join(p, MPROC_FOREVER);
 *     mproc_process_free(p);
 *   }
 *
 * Start methods, as Python's:
 *  - MPROC_START_SPAWN (default): the program is executed again; in the
 *    child, mproc_main() runs the task and exits instead of returning. Safe
 *    with threads. Every program that starts processes must call
 *    mproc_main(argc, argv) first thing in main(), before anything else it
 *    does (Python's `if __name__ == "__main__":` guard). A spawned child that
 *    reaches a start call without having gone through mproc_main refuses
 *    (MPROC_EBOOTSTRAP) rather than run the parent's program again.
 *  - MPROC_START_FORK: fork(2) and call the task directly. Fastest. Unsafe
 *    when the parent runs threads of its own (locks held by another thread
 *    stay locked in the child), exactly as in Python.
 *  - MPROC_START_FORKSERVER: a single-threaded server process, started once
 *    from the program's own executable, forks each child: fork's speed with
 *    spawn's safety.
 */
#ifndef MPROC_PROCESS_H
#define MPROC_PROCESS_H

#include <mproc/args.h>
#include <mproc/common.h>
#include <mproc/task.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Call first thing in main(). In the parent (a program not started by
 * mproc) it returns 0 at once. In a child started by spawn or forkserver
 * it does not return: it runs the requested task (or serves as the
 * forkserver) and exits; if the request from the parent can not be read,
 * it says why on stderr and exits with status 255 (the parent's start call
 * fails with the reason). The only other return is a negative error code
 * should mproc itself fail here. argv is read, not kept (argv[0] is copied,
 * to run the program again under spawn).
 */
MPROC_API int mproc_main(int argc, char **argv);

/* ---- Start methods ------------------------------------------------------ */

typedef enum mproc_start_method_e {
  MPROC_START_DEFAULT = 0, /* the process-wide default */
  MPROC_START_SPAWN = 1,
  MPROC_START_FORK = 2,
  MPROC_START_FORKSERVER = 3
} mproc_start_method_t;

/* Sets the process-wide default (initially MPROC_START_SPAWN). Errors:
 * EINVAL (not a method; MPROC_START_DEFAULT is not one); ENOTSUP for fork
 * or forkserver where the platform has no fork (Windows: spawn only). The
 * same ENOTSUP comes from mproc_process_opts_set_start_method and
 * mproc_pool_opts_set_start_method. Thread-safe. */
MPROC_API int mproc_set_start_method(mproc_start_method_t method);
/* The process-wide default. Cannot fail. */
MPROC_API mproc_start_method_t mproc_get_start_method(void);
/* "spawn", "fork", "forkserver" or "default"; never NULL. */
MPROC_API const char *mproc_start_method_name(mproc_start_method_t method);

/* ---- Process options ---------------------------------------------------- */

/* Options for mproc_process_new; NULL options mean all defaults. An options
 * object may be reused and freed right after mproc_process_new. */
MPROC_API int mproc_process_opts_new(mproc_process_opts_t **out);
MPROC_API void mproc_process_opts_free(mproc_process_opts_t *opts);
/* Name (copied). Default "Process-N" (N counts this process's children). */
MPROC_API int mproc_process_opts_set_name(mproc_process_opts_t *opts, const char *name);
/* A daemon is terminated when its parent exits, dies with the parent even
 * if the parent is killed, and may not start children. Default 0. */
MPROC_API int mproc_process_opts_set_daemon(mproc_process_opts_t *opts, int daemon);
MPROC_API int mproc_process_opts_set_start_method(mproc_process_opts_t *opts,
                                                  mproc_start_method_t method);
/* The child leads a new process group (not a new session: it keeps the
 * parent's terminal), and terminate/kill reach the whole group: its own
 * children included. */
MPROC_API int mproc_process_opts_set_new_group(mproc_process_opts_t *opts, int on);

/* ---- Processes ---------------------------------------------------------- */

/*
 * Creates a process that will run the process task registered as `task`.
 * Takes ownership of `args` (NULL: no arguments) in every case, even on
 * failure. Errors: EINVAL, ENOTFOUND (no task of that name), ETYPE (a pool
 * task has that name).
 * Handles are thread-safe.
 */
MPROC_API int mproc_process_new(mproc_process_t **out, const char *task,
                                mproc_args_t *args,
                                const mproc_process_opts_t *opts);
/* As mproc_process_new with a function instead of a name. Only the fork
 * start method can run an unregistered function; under spawn and forkserver
 * `fn` must be registered (its name is looked up). Errors: as above, and
 * ENOTSUP at start for an unregistered function under spawn or forkserver. */
MPROC_API int mproc_process_new_fn(mproc_process_t **out, mproc_task_fn fn,
                                   mproc_args_t *args,
                                   const mproc_process_opts_t *opts);

/* Starts the child. Errors: ESTATE (already started; or this process is a
 * daemon, which may not have children), EBOOTSTRAP (this process was
 * spawned by mproc but did not call mproc_main), ENOENT and other OS errors
 * when the child can not be created. Under spawn and forkserver, a child
 * that could not begin its task passes on why: ENOTFOUND (the task is not
 * registered in the child's program), or EBOOTSTRAP (the message says
 * why). */
MPROC_API int mproc_process_start(mproc_process_t *p);
/* Waits for the child to end, at most `timeout_ms`. Returns 0 once it has
 * ended, ETIMEDOUT if it still runs. Errors: ESTATE (not started). */
MPROC_API int mproc_process_join(mproc_process_t *p, int64_t timeout_ms);
/* *alive = 1 while the child runs (started and not yet ended), else 0. */
MPROC_API int mproc_process_is_alive(const mproc_process_t *p, int *alive);
/* SIGTERM / SIGKILL to the child (to its whole group if it leads one).
 * Signalling a child that already ended does nothing and succeeds.
 * Errors: ESTATE (not started). */
MPROC_API int mproc_process_terminate(mproc_process_t *p);
MPROC_API int mproc_process_kill(mproc_process_t *p);
/* The child's pid. Errors: ESTATE (not started). */
MPROC_API int mproc_process_pid(const mproc_process_t *p, int64_t *pid);
/* Python's exitcode: the task's return value, or -N if signal N ended the
 * child. Errors: ESTATE while not started or still running. */
MPROC_API int mproc_process_exitcode(const mproc_process_t *p, int *code);
/* The name; valid while the handle lives. Never fails for a valid handle. */
MPROC_API int mproc_process_name(const mproc_process_t *p, const char **name);
MPROC_API int mproc_process_daemon(const mproc_process_t *p, int *daemon);
/* A descriptor that becomes readable when the child ends: watch it from an
 * event loop. Owned by the handle; valid until mproc_process_free.
 * Errors: ESTATE (not started). */
MPROC_API int mproc_process_sentinel(const mproc_process_t *p, int *fd);
/*
 * Frees the handle. Accepts NULL. A child still running is not stopped:
 * it goes on, is reaped in the background when it ends (no zombie), and at
 * this process's exit it is joined (or terminated, if a daemon) like any
 * other child.
 */
MPROC_API void mproc_process_free(mproc_process_t *p);

/* ---- This process ------------------------------------------------------- */

/* These take no handle and cannot fail: they return their answer. */
/* "MainProcess" in a program's first process, the process's name in a
 * child. Static for the process's lifetime. */
MPROC_API const char *mproc_current_process_name(void);
/* 1 in a daemon child, else 0. */
MPROC_API int mproc_current_process_is_daemon(void);
/* The pid of the process that started this one through mproc (Python's
 * parent_process().pid), or 0 in a process mproc did not start (a
 * program's first process). Under forkserver this is the process that
 * asked for the child, not the server that forked it (the OS parent, which
 * the library does not report). */
MPROC_API int64_t mproc_parent_pid(void);
/*
 * The pids of this process's started children (processes, not commands)
 * that are still running, as Python's active_children(). Fills up to `cap`
 * entries of `pids` (may be NULL when cap is 0) and sets *count to how many
 * there are in all. Errors: EINVAL.
 */
MPROC_API int mproc_active_children(int64_t *pids, size_t cap, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_PROCESS_H */
