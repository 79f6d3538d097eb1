/**
 * @file mproc/process.h
 * @brief Run a function in a child process (Python's
 * multiprocessing.Process), and the library's process-wide effects.
 *
 * A task is a function registered under a name (MPROC_TASK, mproc/task.h).
 * The parent creates a process from the task's name and an argument list,
 * starts it, and joins it. The child runs the task and exits with its
 * return value.
 * @code
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
 * @endcode
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
 *
 * Process-wide effects of the library:
 *  - **Threads.** Nothing runs before the first call that needs it. The
 *    first process or command started creates one reactor thread (libuv's
 *    loop, which watches children's exits); it lives until the program
 *    exits. A pool adds a collector thread, and a short-lived thread while
 *    it replaces a dead worker; mproc_queue_fileno adds one thread per
 *    watched queue; a listener (mproc/listener.h) may add one; an MPI pool
 *    its own. The reactor thread blocks all asynchronous signals, so the
 *    program's signal handlers do not run on it. In a
 *    forked child the parent's threads do not exist; a fresh reactor is
 *    made there on first use.
 *  - **Signals.** mproc installs no signal handler: it never touches
 *    SIGCHLD (exits are watched through pidfds, never waitpid(-1), so the
 *    host's own children are not reaped), and writes that could raise
 *    SIGPIPE block it for the calling thread for the moment of the write
 *    (or use MSG_NOSIGNAL), leaving the program's disposition alone. If
 *    the program sets SIGCHLD to SIG_IGN, or reaps with waitpid(-1), the
 *    kernel or the program takes the exit statuses: joins still return,
 *    and mproc_process_exitcode (and mproc_command_exitcode) report
 *    MPROC_ECHILD. terminate sends SIGTERM and kill SIGKILL (on Windows,
 *    TerminateProcess with the same exit codes). A daemon child gets
 *    SIGKILL from the kernel if its parent dies (PR_SET_PDEATHSIG, set in
 *    mproc_main before the task runs).
 *  - **Blocking start.** Under spawn and forkserver, mproc_process_start
 *    blocks until the child has read its task and acknowledged it (the
 *    start-up handshake: the time to execute the program and reach
 *    mproc_main, typically milliseconds), at most 60 s, after which the
 *    child is killed and the start fails with MPROC_EBOOTSTRAP. Under fork
 *    it returns once the child is forked.
 *  - **EINTR.** Blocking calls restart when a signal interrupts them and
 *    keep their deadline; none returns MPROC_EINTR.
 *  - **Exit.** At exit (an atexit handler, registered when the first child
 *    is started), the program terminates its daemon children (SIGTERM,
 *    then SIGKILL after 1 s) and then **waits, without limit, for every
 *    non-daemon child process to end**, as Python does: a program whose
 *    child never ends does not end either. Join or terminate children
 *    before returning from main to bound that wait. Commands
 *    (mproc/command.h) are not waited for at exit.
 *  - **mproc_main.** Needed only to start processes and pools under spawn
 *    or forkserver (the program runs again as the child). Commands,
 *    connections, shared objects, queues and fork-only programs work
 *    without it; calling it anyway costs nothing in a process mproc did
 *    not start.
 */
#ifndef MPROC_PROCESS_H
#define MPROC_PROCESS_H

#include <mproc/args.h>
#include <mproc/common.h>
#include <mproc/task.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Call first thing in main(). In the parent (a program not started by
 * mproc) it returns 0 at once. In a child started by spawn or forkserver
 * it does not return: it runs the requested task (or serves as the
 * forkserver) and exits; if the request from the parent can not be read,
 * it says why on stderr and exits with status 255 (the parent's start call
 * fails with the reason). Call it from the main thread, before any other
 * thread exists.
 * @param argc main's argc.
 * @param argv main's argv; read, not kept (argv[0] is copied, to run the
 *             program again under spawn).
 * @return 0 in a process mproc did not start; a negative code (MPROC_ENOMEM,
 *         MPROC_EINTERNAL) only should mproc itself fail here.
 */
MPROC_API int mproc_main(int argc, char **argv);

/* ---- Start methods ------------------------------------------------------ */

/** How a child process is started (see the top of this file). */
typedef enum mproc_start_method_e {
  /** The process-wide default (mproc_set_start_method). */
  MPROC_START_DEFAULT = 0,
  /** Run the program again; the child enters through mproc_main. */
  MPROC_START_SPAWN = 1,
  /** fork(2) and call the task (POSIX only). */
  MPROC_START_FORK = 2,
  /** A single-threaded server forks each child (POSIX only). */
  MPROC_START_FORKSERVER = 3
} mproc_start_method_t;

/**
 * Sets the process-wide default start method (initially
 * MPROC_START_SPAWN). Thread-safe; does not block.
 * @param method a start method other than MPROC_START_DEFAULT.
 * @return 0, or MPROC_EINVAL (not a method; MPROC_START_DEFAULT is not
 *         one), MPROC_ENOTSUP (fork or forkserver where the platform has no
 *         fork: Windows is spawn only). The same ENOTSUP comes from
 *         mproc_process_opts_set_start_method and
 *         mproc_pool_opts_set_start_method.
 */
MPROC_API int mproc_set_start_method(mproc_start_method_t method);
/**
 * The process-wide default start method. Cannot fail; thread-safe.
 * @return the method (never MPROC_START_DEFAULT).
 */
MPROC_API mproc_start_method_t mproc_get_start_method(void);
/**
 * A method's name. Cannot fail; thread-safe.
 * @param method a start method.
 * @return "spawn", "fork", "forkserver" or "default" (also for a value
 *         that is no method); static, never NULL.
 */
MPROC_API const char *mproc_start_method_name(mproc_start_method_t method);

/* ---- What spawned children run ------------------------------------------ */

/**
 * Sets what a re-executed child runs: spawn children, pool workers under
 * spawn and the forkserver (Python's multiprocessing.set_executable). By
 * default that is this program's own executable, started with the argv[0]
 * it was started with, and reaching mproc_main first thing in main(). An
 * interpreter is not such a program: a Python, Ruby or Node host names the
 * interpreter here with the arguments that make it run code which
 * registers the host's tasks under the names it starts them by, then calls
 * mproc_main (the Python binding passes `python3 -c "..."` code that
 * imports its package and does both).
 *
 * Children started afterwards run it; those already running are not
 * affected, and nor is a forkserver already started. It is this process's
 * setting only: children do not inherit it. Should the program not call
 * mproc_main, starts fail with MPROC_EBOOTSTRAP, and one that cannot be
 * started with the OS's reason (MPROC_ENOENT...). Thread-safe. Available
 * on every platform (Windows too: the path is an .exe, found with PATHEXT
 * for a bare name).
 * @param path the executable, copied; a bare name is looked up in PATH
 *             now. NULL goes back to the default (argc must then be 0).
 * @param argv `argc` strings, copied: the child's whole argument vector,
 *             argv[0] included; may be NULL when argc is 0.
 * @param argc the number of strings in argv; 0 means {path}.
 * @return 0, or MPROC_EINVAL (path empty; an argv entry NULL; argc without
 *         argv; argv without path), MPROC_ENOENT (no such file; a bare name
 *         not found in PATH), MPROC_EACCES (not an executable file), each
 *         message naming it.
 */
MPROC_API int mproc_set_executable(const char *path, const char *const *argv, size_t argc);

/* ---- Process options ---------------------------------------------------- */

/**
 * Creates options for mproc_process_new, all defaults. An options object
 * may be reused, and freed right after mproc_process_new. Not to be changed
 * by one thread while another uses it.
 * @param out receives the options, the caller's: free with
 *            mproc_process_opts_free.
 * @return 0, or MPROC_EINVAL (out NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_process_opts_new(mproc_process_opts_t **out);
/**
 * Frees options. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_process_opts_free(mproc_process_opts_t *opts);
/**
 * Sets the process's name. Default "Process-N" (N counts this process's
 * children).
 * @param opts the options.
 * @param name the name, copied.
 * @return 0, or MPROC_EINVAL (opts not options, name NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_process_opts_set_name(mproc_process_opts_t *opts, const char *name);
/**
 * Makes the process a daemon: it is terminated when its parent exits, dies
 * with the parent even if the parent is killed, and may not start
 * children. Default 0.
 * @param opts the options.
 * @param daemon 1 for a daemon, 0 for not.
 * @return 0, or MPROC_EINVAL (opts not options).
 */
MPROC_API int mproc_process_opts_set_daemon(mproc_process_opts_t *opts, int daemon);
/**
 * Sets the start method for this process. Default MPROC_START_DEFAULT (the
 * process-wide default at start).
 * @param opts the options.
 * @param method a start method, or MPROC_START_DEFAULT.
 * @return 0, or MPROC_EINVAL (opts not options, method not a method),
 *         MPROC_ENOTSUP (fork or forkserver on Windows).
 */
MPROC_API int mproc_process_opts_set_start_method(mproc_process_opts_t *opts,
                                                  mproc_start_method_t method);
/**
 * Makes the child lead a new process group (not a new session: it keeps
 * the parent's terminal), so that terminate and kill reach the whole
 * group, its own children included. Default 0.
 * @param opts the options.
 * @param on 1 for a new group, 0 for not.
 * @return 0, or MPROC_EINVAL (opts not options).
 */
MPROC_API int mproc_process_opts_set_new_group(mproc_process_opts_t *opts, int on);

/* ---- Processes ---------------------------------------------------------- */

/**
 * Creates a process that will run the process task registered as `task`.
 * Nothing starts yet. Does not block. Process handles are thread-safe.
 * @param out receives the process, the caller's: free with
 *            mproc_process_free.
 * @param task the registered name of a process task.
 * @param args the argument list, or NULL for none; taken in every case,
 *             even on failure (do not free it).
 * @param opts options, or NULL for the defaults; not taken (read now).
 * @return 0, or MPROC_EINVAL (out NULL, task NULL or empty),
 *         MPROC_ENOTFOUND (no task of that name), MPROC_ETYPE (a pool task
 *         has that name), MPROC_ENOMEM.
 */
MPROC_API int mproc_process_new(mproc_process_t **out, const char *task,
                                mproc_args_t *args,
                                const mproc_process_opts_t *opts);
/**
 * As mproc_process_new with a function instead of a name. Only the fork
 * start method can run an unregistered function; under spawn and
 * forkserver `fn` must be registered (its name is looked up at start).
 * @param out receives the process, the caller's.
 * @param fn the task function.
 * @param args the argument list, or NULL; taken in every case.
 * @param opts options, or NULL.
 * @return 0, or MPROC_EINVAL (out or fn NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_process_new_fn(mproc_process_t **out, mproc_task_fn fn,
                                   mproc_args_t *args,
                                   const mproc_process_opts_t *opts);

/**
 * Starts the child. Blocks under spawn and forkserver until the child has
 * acknowledged its task (at most 60 s; see the top of this file). On
 * success the process drops its argument list (the child has its own
 * copies). A failed start may be retried.
 * @param p the process.
 * @return 0, or MPROC_ESTATE (already started; or this process is a
 *         daemon, which may not have children), MPROC_EBOOTSTRAP (this
 *         process was spawned by mproc but did not call mproc_main; or the
 *         child ended or went silent before starting its task: the message
 *         says why), MPROC_ENOTFOUND (the task is not registered in the
 *         child's program), MPROC_ENOTSUP (an unregistered function under
 *         spawn or forkserver, or fork on Windows), MPROC_ENOENT,
 *         MPROC_EACCES, MPROC_EAGAIN, MPROC_EMFILE (the OS could not create
 *         the child), MPROC_ENOSYS (Linux before 5.3: no pidfd_open),
 *         MPROC_ECLOSED (the program is exiting), MPROC_EINVAL.
 */
MPROC_API int mproc_process_start(mproc_process_t *p);
/**
 * Waits for the child to end. Blocks at most `timeout_ms`. Several threads
 * may join one process at once.
 * @param p the process.
 * @param timeout_ms how long to wait (MPROC_FOREVER, 0, or milliseconds).
 * @return 0 once the child has ended (also when its status was lost),
 *         MPROC_ETIMEDOUT if it still runs, MPROC_ESTATE (not started),
 *         MPROC_EINVAL (p not a process, bad timeout).
 */
MPROC_API int mproc_process_join(mproc_process_t *p, int64_t timeout_ms);
/**
 * Whether the child runs. Does not block. A snapshot.
 * @param p the process.
 * @param alive receives 1 while the child runs (started and not yet
 *              ended), else 0 (also before start).
 * @return 0, or MPROC_EINVAL (p not a process, alive NULL).
 */
MPROC_API int mproc_process_is_alive(const mproc_process_t *p, int *alive);
/**
 * Sends SIGTERM to the child (to its whole group if it leads one; on
 * Windows, TerminateProcess, and exitcode reports -15 as for SIGTERM).
 * Does not wait: join next.
 * Signalling a child that already ended does nothing and succeeds.
 * @param p the process.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EPERM, MPROC_EINVAL.
 */
MPROC_API int mproc_process_terminate(mproc_process_t *p);
/**
 * As mproc_process_terminate with SIGKILL (exitcode -9).
 * @param p the process.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EPERM, MPROC_EINVAL.
 */
MPROC_API int mproc_process_kill(mproc_process_t *p);
/**
 * The child's process id. Does not block.
 * @param p the process.
 * @param pid receives the id.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL.
 */
MPROC_API int mproc_process_pid(const mproc_process_t *p, int64_t *pid);
/**
 * Python's exitcode. Does not block (it reaps the child if it has ended).
 * @param p the process.
 * @param code receives the task's return value, or -N if signal N ended
 *             the child.
 * @return 0, or MPROC_ESTATE (not started, or still running),
 *         MPROC_ECHILD (the child ended but its status was lost: the
 *         program set SIGCHLD to SIG_IGN, so the kernel reaped it, or
 *         something in the program reaped it with waitpid(-1)),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_process_exitcode(const mproc_process_t *p, int *code);
/**
 * The process's name.
 * @param p the process.
 * @param name receives the name, owned by the handle, valid while it
 *             lives.
 * @return 0, or MPROC_EINVAL (p not a process, name NULL).
 */
MPROC_API int mproc_process_name(const mproc_process_t *p, const char **name);
/**
 * Whether the process is a daemon.
 * @param p the process.
 * @param daemon receives 1 for a daemon, else 0.
 * @return 0, or MPROC_EINVAL (p not a process, daemon NULL).
 */
MPROC_API int mproc_process_daemon(const mproc_process_t *p, int *daemon);
/**
 * A descriptor that becomes readable when the child ends: watch it from an
 * event loop (on Windows, a waitable HANDLE value; see mproc/common.h).
 * @param p the process.
 * @param fd receives the descriptor, owned by the handle: never close it;
 *           valid until mproc_process_free.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL.
 */
MPROC_API int mproc_process_sentinel(const mproc_process_t *p, int *fd);
/**
 * Frees the handle. Accepts NULL. A child still running is not stopped:
 * it goes on, is reaped in the background when it ends (no zombie), and at
 * this process's exit it is joined (or terminated, if a daemon) like any
 * other child. Never blocks.
 * @param p the process, or NULL.
 */
MPROC_API void mproc_process_free(mproc_process_t *p);

/* ---- This process ------------------------------------------------------- */

/**
 * This process's name. Cannot fail; thread-safe.
 * @return "MainProcess" in a program's first process, the process's name
 *         in a child; static for the process's lifetime.
 */
MPROC_API const char *mproc_current_process_name(void);
/**
 * Whether this process is a daemon child. Cannot fail.
 * @return 1 in a daemon child, else 0.
 */
MPROC_API int mproc_current_process_is_daemon(void);
/**
 * The pid of the process that started this one through mproc (Python's
 * parent_process().pid). Under forkserver this is the process that asked
 * for the child, not the server that forked it (the OS parent, which the
 * library does not report). Cannot fail.
 * @return the pid, or 0 in a process mproc did not start.
 */
MPROC_API int64_t mproc_parent_pid(void);
/**
 * The pids of this process's started children (processes, not commands)
 * that are still running, as Python's active_children(). Does not block.
 * @param pids filled with up to `cap` pids; may be NULL when cap is 0.
 * @param cap the capacity of `pids`.
 * @param count receives how many there are in all (may exceed cap).
 * @return 0, or MPROC_EINVAL (count NULL, pids NULL with cap > 0).
 */
MPROC_API int mproc_active_children(int64_t *pids, size_t cap, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_PROCESS_H */
