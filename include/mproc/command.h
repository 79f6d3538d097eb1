/**
 * @file mproc/command.h
 * @brief Run another program (Python's subprocess, the parts
 * multiprocessing programs need).
 *
 * A command is an executable with argv, an environment (inherited, replaced,
 * or with variables added and removed), a working directory, and stdin,
 * stdout and stderr each inherited, sent to /dev/null, to or from a file, or
 * connected to a pipe the parent reads or writes with timeouts. Extra
 * descriptors can be given to the command at chosen numbers (3, 4, ...);
 * every other descriptor is closed in the command, whether or not the host
 * program marked it close-on-exec.
 *
 * The end of the command's output and the end of the command are separate
 * events: joining waits for the process only, so a grandchild that keeps a
 * pipe open can not make a join hang. An executable that can not be run is
 * reported by mproc_command_start (ENOENT, EACCES, ...), not as exit 127.
 *
 * Process-wide effects: commands need no mproc_main (they are started with
 * posix_spawn, on Windows CreateProcessW, and run no code of mproc's). The
 * first command started creates the library's reactor thread, which
 * watches its exit (see mproc/process.h). SIGCHLD is not touched; if the
 * program ignores it, mproc_command_exitcode reports MPROC_ECHILD.
 * Commands are not part of mproc_active_children() and are **not** joined
 * at exit: a command still running when the program exits goes on.
 *
 * Handles are thread-safe; options are not to be changed by one thread
 * while another uses them.
 */
#ifndef MPROC_COMMAND_H
#define MPROC_COMMAND_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The command's standard input, as a `which` argument. */
#define MPROC_STDIN 0
/** The command's standard output, as a `which` argument. */
#define MPROC_STDOUT 1
/** The command's standard error, as a `which` argument. */
#define MPROC_STDERR 2

/** Where one of the command's standard streams goes. */
typedef enum mproc_stdio_e {
  /** The parent's own stream (default). */
  MPROC_STDIO_INHERIT = 0,
  /** /dev/null (NUL on Windows). */
  MPROC_STDIO_NULL = 1,
  /** A pipe: the parent writes stdin (mproc_command_write) or reads
   *  output (mproc_command_read). */
  MPROC_STDIO_PIPE = 2,
  /** A file; set by mproc_command_opts_set_stdio_file. */
  MPROC_STDIO_FILE = 3,
  /** stderr only: into wherever stdout goes. */
  MPROC_STDIO_STDOUT = 4,
  /** A descriptor of the parent's; set by mproc_command_opts_set_stdio_fd. */
  MPROC_STDIO_FD = 5
} mproc_stdio_t;

/**
 * Creates options for a command, all defaults.
 * @param out receives the options, the caller's: free with
 *            mproc_command_opts_free.
 * @return 0, or MPROC_EINVAL (out NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_command_opts_new(mproc_command_opts_t **out);
/**
 * Frees options and the descriptor duplicates they hold. Accepts NULL.
 * @param opts the options, or NULL.
 */
MPROC_API void mproc_command_opts_free(mproc_command_opts_t *opts);
/**
 * Sets the command's working directory. Default: the parent's. A directory
 * that does not exist fails mproc_command_start with MPROC_ENOENT.
 * @param opts the options.
 * @param dir the directory, copied.
 * @return 0, or MPROC_EINVAL (opts not options, dir NULL), MPROC_ENOMEM.
 */
MPROC_API int mproc_command_opts_set_cwd(mproc_command_opts_t *opts, const char *dir);
/**
 * Starts the command from an empty environment instead of the parent's
 * (variables set before or after with mproc_command_opts_env_set stay).
 * @param opts the options.
 * @return 0, or MPROC_EINVAL (opts not options).
 */
MPROC_API int mproc_command_opts_env_clear(mproc_command_opts_t *opts);
/**
 * Sets NAME=value in the command's environment.
 * @param opts the options.
 * @param name the variable's name, copied: not empty, no '='.
 * @param value its value, copied.
 * @return 0, or MPROC_EINVAL (opts not options, name or value NULL, name
 *         empty or holding '='), MPROC_ENOMEM.
 */
MPROC_API int mproc_command_opts_env_set(mproc_command_opts_t *opts,
                                         const char *name, const char *value);
/**
 * Removes NAME from the command's environment.
 * @param opts the options.
 * @param name the variable's name, copied; not empty.
 * @return 0, or MPROC_EINVAL (opts not options, name NULL or empty),
 *         MPROC_ENOMEM.
 */
MPROC_API int mproc_command_opts_env_unset(mproc_command_opts_t *opts, const char *name);
/**
 * Sets one standard stream to INHERIT, NULL, PIPE or (stderr only) STDOUT.
 * @param opts the options.
 * @param which MPROC_STDIN, MPROC_STDOUT or MPROC_STDERR.
 * @param mode where it goes (FILE and FD have setters of their own).
 * @return 0, or MPROC_EINVAL (opts not options, which not a stream, a mode
 *         not valid for the stream).
 */
MPROC_API int mproc_command_opts_set_stdio(mproc_command_opts_t *opts, int which,
                                           mproc_stdio_t mode);
/**
 * Connects a stream to a file: read for stdin; for output, created (mode
 * 0644) and truncated, or appended to. The file is opened at start: one
 * that can not be opened fails mproc_command_start (MPROC_ENOENT,
 * MPROC_EACCES, ...).
 * @param opts the options.
 * @param which MPROC_STDIN, MPROC_STDOUT or MPROC_STDERR.
 * @param path the file's path, copied; not empty.
 * @param append nonzero to append to an output file instead of truncating.
 * @return 0, or MPROC_EINVAL (opts not options, which not a stream, path
 *         NULL or empty), MPROC_ENOMEM.
 */
MPROC_API int mproc_command_opts_set_stdio_file(mproc_command_opts_t *opts, int which,
                                                const char *path, int append);
/**
 * Connects a stream to a descriptor of the parent's (a file, socket or pipe
 * end the caller made). The options hold a duplicate until they are freed
 * (or the setting is replaced), so the caller may close `parent_fd` at once.
 * @param opts the options.
 * @param which MPROC_STDIN, MPROC_STDOUT or MPROC_STDERR.
 * @param parent_fd an open descriptor; not taken.
 * @return 0, or MPROC_EINVAL (opts not options, which not a stream),
 *         MPROC_EBADF (parent_fd negative or not open), MPROC_EMFILE.
 */
MPROC_API int mproc_command_opts_set_stdio_fd(mproc_command_opts_t *opts, int which,
                                              int parent_fd);
/**
 * Gives the command the parent's descriptor `parent_fd` as its descriptor
 * `child_fd`. The options hold a duplicate until they are freed, so the
 * caller may close `parent_fd` at once. Passing the same `child_fd` again
 * replaces the earlier one.
 * @param opts the options.
 * @param child_fd the number in the command, 3 to 65535.
 * @param parent_fd an open descriptor; not taken.
 * @return 0, or MPROC_EINVAL (opts not options, child_fd out of range),
 *         MPROC_EBADF (parent_fd negative or not open), MPROC_EMFILE.
 */
MPROC_API int mproc_command_opts_pass_fd(mproc_command_opts_t *opts, int child_fd,
                                         int parent_fd);
/**
 * Makes the command lead a new process group, so that terminate and kill
 * reach the whole group. Default 0.
 * @param opts the options.
 * @param on 1 for a new group, 0 for not.
 * @return 0, or MPROC_EINVAL (opts not options).
 */
MPROC_API int mproc_command_opts_set_new_group(mproc_command_opts_t *opts, int on);

/**
 * Creates a command; nothing runs yet. argv[0] without a '/' is searched
 * in the PATH of the command's environment at start. Does not block.
 * @param out receives the command, the caller's: free with
 *            mproc_command_free.
 * @param argv a NULL-terminated argument vector, copied.
 * @param opts options, or NULL for the defaults; read now, not kept.
 * @return 0, or MPROC_EINVAL (out or argv NULL, argv empty or argv[0]
 *         empty, opts not options), MPROC_ENOMEM.
 */
MPROC_API int mproc_command_new(mproc_command_t **out, const char *const *argv,
                                const mproc_command_opts_t *opts);
/**
 * Starts the command. Blocks only for the OS to create the process.
 * @param cmd the command.
 * @return 0, or MPROC_ESTATE (started already), MPROC_ENOENT (no such
 *         executable, or working directory, or stdin file: the message
 *         names it), MPROC_EACCES (a file without execute permission, or a
 *         stdio file that may not be opened), MPROC_EISDIR (a stdio file
 *         that is a directory), MPROC_ENOTDIR (a stdio file's path through
 *         a file), MPROC_ENOEXEC, MPROC_E2BIG, MPROC_EMFILE, MPROC_EAGAIN
 *         (other OS errors), MPROC_ENOSYS (Linux before 5.3: no
 *         pidfd_open), MPROC_EINVAL. With SIGCHLD ignored, a command
 *         that ends at once may be reaped by the kernel before the start
 *         holds on to it: the start still succeeds, and the command is
 *         seen as ended with its status lost (MPROC_ECHILD from
 *         mproc_command_exitcode).
 */
MPROC_API int mproc_command_start(mproc_command_t *cmd);
/**
 * Writes to the command's stdin pipe, waiting at most `timeout_ms` for
 * room. Threads writing at once take turns.
 * @param cmd the command.
 * @param data the bytes; may be NULL only when len is 0.
 * @param len how many bytes.
 * @param written receives the bytes written (may be NULL), which on
 *                ETIMEDOUT may be fewer than `len`.
 * @param timeout_ms how long to wait for room.
 * @return 0 (all written), or MPROC_ETIMEDOUT, MPROC_ESTATE (stdin is not a
 *         pipe, closed, or the command was not started), MPROC_EPIPE (the
 *         command closed its stdin), MPROC_EINVAL.
 */
MPROC_API int mproc_command_write(mproc_command_t *cmd, const void *data, size_t len,
                                  size_t *written, int64_t timeout_ms);
/**
 * Closes the stdin pipe, so the command sees end of input. Does not block.
 * @param cmd the command.
 * @return 0, or MPROC_ESTATE (stdin is not a pipe, or not started),
 *         MPROC_EINVAL.
 */
MPROC_API int mproc_command_close_stdin(mproc_command_t *cmd);
/**
 * Reads what is available (at least one byte, at most `cap`) from the
 * stdout or stderr pipe, waiting at most `timeout_ms`. Threads reading
 * one stream at once take turns.
 * @param cmd the command.
 * @param which MPROC_STDOUT or MPROC_STDERR.
 * @param buf the caller's buffer.
 * @param cap its size, at least 1.
 * @param n receives the number of bytes read.
 * @param timeout_ms how long to wait for a byte.
 * @return 0, or MPROC_EOF (every writer closed the pipe), MPROC_ETIMEDOUT,
 *         MPROC_ESTATE (not a pipe, or not started), MPROC_EINVAL (cap 0:
 *         a byte stream has no next message to size, see mproc/common.h;
 *         buf or n NULL; which not an output stream).
 */
MPROC_API int mproc_command_read(mproc_command_t *cmd, int which, void *buf, size_t cap,
                                 size_t *n, int64_t timeout_ms);
/**
 * Waits for the process to end (not for its pipes to close), at most
 * `timeout_ms`.
 * @param cmd the command.
 * @param timeout_ms how long to wait.
 * @return 0 once it has ended, MPROC_ETIMEDOUT, MPROC_ESTATE (not
 *         started), MPROC_EINVAL.
 */
MPROC_API int mproc_command_join(mproc_command_t *cmd, int64_t timeout_ms);
/**
 * Whether the command runs. Does not block; a snapshot.
 * @param cmd the command.
 * @param alive receives 1 while it runs (started and not ended), else 0.
 * @return 0, or MPROC_EINVAL (cmd not a command, alive NULL).
 */
MPROC_API int mproc_command_is_alive(const mproc_command_t *cmd, int *alive);
/**
 * Sends SIGTERM to the command (to its group if it leads one; on Windows,
 * TerminateProcess, exitcode -15). Does not wait: join next. Signalling a
 * command that already ended does nothing and succeeds.
 * @param cmd the command.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EPERM, MPROC_EINVAL.
 */
MPROC_API int mproc_command_terminate(mproc_command_t *cmd);
/**
 * As mproc_command_terminate with SIGKILL (exitcode -9).
 * @param cmd the command.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EPERM, MPROC_EINVAL.
 */
MPROC_API int mproc_command_kill(mproc_command_t *cmd);
/**
 * The command's process id. Does not block.
 * @param cmd the command.
 * @param pid receives the id.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL.
 */
MPROC_API int mproc_command_pid(const mproc_command_t *cmd, int64_t *pid);
/**
 * The exit status. Does not block (it reaps the command if it has ended).
 * @param cmd the command.
 * @param code receives the exit status, or -N after signal N.
 * @return 0, or MPROC_ESTATE (not started, or still running), MPROC_ECHILD
 *         (its status was lost: SIGCHLD ignored or waitpid(-1) in the
 *         program), MPROC_EINVAL.
 */
MPROC_API int mproc_command_exitcode(const mproc_command_t *cmd, int *code);
/**
 * A descriptor readable once the process has ended (on Windows a waitable
 * HANDLE value; see mproc/common.h).
 * @param cmd the command.
 * @param fd receives the descriptor, owned by the handle: never close it;
 *           valid until mproc_command_free.
 * @return 0, or MPROC_ESTATE (not started), MPROC_EINVAL.
 */
MPROC_API int mproc_command_sentinel(const mproc_command_t *cmd, int *fd);
/**
 * Frees the handle and closes the parent's ends of its pipes; a command
 * still running goes on and is reaped in the background. Accepts NULL.
 * @param cmd the command, or NULL.
 */
MPROC_API void mproc_command_free(mproc_command_t *cmd);

/**
 * Runs a command to completion and captures its stdout and stderr
 * separately, reading both as they come so that neither can fill its pipe
 * and stall the command, however much either writes (Python's
 * subprocess.run with capture_output). Blocks until the command ends, at
 * most `timeout_ms`. After the command ends, output still arriving from a
 * grandchild that holds the pipes is collected until it stops for 100 ms
 * or the pipes close.
 * @param argv a NULL-terminated argument vector, copied.
 * @param opts options, or NULL; their stdout and stderr settings are
 *             replaced by pipes.
 * @param input bytes for stdin, written through a pipe that is then closed
 *              (even for input_len 0); NULL leaves stdin as `opts` says, or
 *              /dev/null by default.
 * @param input_len how many bytes of input.
 * @param timeout_ms how long the command may run.
 * @param out receives the result (Python's CompletedProcess), the
 *            caller's: free with mproc_capture_free.
 * @return 0, or the errors of mproc_command_new and mproc_command_start;
 *         MPROC_ETIMEDOUT when the command runs past `timeout_ms` (it is
 *         then killed and reaped; nothing is returned).
 */
MPROC_API int mproc_command_capture(const char *const *argv,
                                    const mproc_command_opts_t *opts,
                                    const void *input, size_t input_len,
                                    int64_t timeout_ms, mproc_capture_t **out);
/**
 * A captured command's exit status.
 * @param c the result.
 * @param code receives the exit status, or -N after signal N.
 * @return 0, or MPROC_EINVAL (c not a result, code NULL).
 */
MPROC_API int mproc_capture_exitcode(const mproc_capture_t *c, int *code);
/**
 * What the command wrote to stdout.
 * @param c the result.
 * @param data receives NUL-terminated bytes owned by the result, valid
 *             until mproc_capture_free (they may hold NULs of their own).
 * @param len receives their number, the final NUL not counted.
 * @return 0, or MPROC_EINVAL (c not a result, data or len NULL).
 */
MPROC_API int mproc_capture_stdout(const mproc_capture_t *c, const char **data, size_t *len);
/**
 * What the command wrote to stderr; as mproc_capture_stdout.
 * @param c the result.
 * @param data receives the bytes, owned by the result.
 * @param len receives their number.
 * @return 0, or MPROC_EINVAL (c not a result, data or len NULL).
 */
MPROC_API int mproc_capture_stderr(const mproc_capture_t *c, const char **data, size_t *len);
/**
 * Frees a result. Accepts NULL.
 * @param c the result, or NULL.
 */
MPROC_API void mproc_capture_free(mproc_capture_t *c);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_COMMAND_H */
