/*
 * mproc/command.h: run another program (Python's subprocess, the parts
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
 * Commands are not part of active_children() and are not joined at exit.
 * Handles are thread-safe.
 */
#ifndef MPROC_COMMAND_H
#define MPROC_COMMAND_H

#include <mproc/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which standard stream. */
#define MPROC_STDIN 0
#define MPROC_STDOUT 1
#define MPROC_STDERR 2

typedef enum mproc_stdio_e {
  MPROC_STDIO_INHERIT = 0, /* the parent's own stream (default) */
  MPROC_STDIO_NULL = 1,    /* /dev/null */
  MPROC_STDIO_PIPE = 2,    /* a pipe: the parent writes stdin / reads output */
  MPROC_STDIO_FILE = 3,    /* set by mproc_command_opts_set_stdio_file */
  MPROC_STDIO_STDOUT = 4,  /* stderr only: into wherever stdout goes */
  MPROC_STDIO_FD = 5       /* set by mproc_command_opts_set_stdio_fd */
} mproc_stdio_t;

MPROC_API int mproc_command_opts_new(mproc_command_opts_t **out);
MPROC_API void mproc_command_opts_free(mproc_command_opts_t *opts);
/* Working directory of the command (copied). Default: the parent's. */
MPROC_API int mproc_command_opts_set_cwd(mproc_command_opts_t *opts, const char *dir);
/* Start from an empty environment instead of the parent's. */
MPROC_API int mproc_command_opts_env_clear(mproc_command_opts_t *opts);
/* Sets NAME=value in the command's environment (after clearing, if any). */
MPROC_API int mproc_command_opts_env_set(mproc_command_opts_t *opts,
                                         const char *name, const char *value);
/* Removes NAME from the command's environment. */
MPROC_API int mproc_command_opts_env_unset(mproc_command_opts_t *opts, const char *name);
/* Sets stream `which` (MPROC_STDIN/STDOUT/STDERR) to INHERIT, NULL, PIPE or
 * (stderr only) STDOUT. Errors: EINVAL. */
MPROC_API int mproc_command_opts_set_stdio(mproc_command_opts_t *opts, int which,
                                           mproc_stdio_t mode);
/* Connects stream `which` to the file at `path`: read for stdin; for
 * output, created (mode 0644) and truncated, or appended to if `append`. */
MPROC_API int mproc_command_opts_set_stdio_file(mproc_command_opts_t *opts, int which,
                                                const char *path, int append);
/* Connects stream `which` to the parent's open descriptor `parent_fd` (a
 * file, socket or pipe end the caller made). The options hold a duplicate,
 * so the caller may close `parent_fd`. Errors: EINVAL, EBADF. */
MPROC_API int mproc_command_opts_set_stdio_fd(mproc_command_opts_t *opts, int which,
                                              int parent_fd);
/* Gives the command the parent's descriptor `parent_fd` as its descriptor
 * `child_fd` (>= 3). The options hold a duplicate, so the caller may close
 * `parent_fd`. Errors: EINVAL, EBADF. */
MPROC_API int mproc_command_opts_pass_fd(mproc_command_opts_t *opts, int child_fd,
                                         int parent_fd);
/* The command leads a new process group; terminate/kill reach the group. */
MPROC_API int mproc_command_opts_set_new_group(mproc_command_opts_t *opts, int on);

/*
 * Creates a command from a NULL-terminated argv (copied). argv[0] without a
 * '/' is searched in the PATH of the command's environment. NULL opts: all
 * defaults. Errors: EINVAL (empty argv).
 */
MPROC_API int mproc_command_new(mproc_command_t **out, const char *const *argv,
                                const mproc_command_opts_t *opts);
/* Starts the command. Errors: ESTATE (started already), ENOENT (no such
 * executable, message names it), EACCES, ENOEXEC, and other OS errors. */
MPROC_API int mproc_command_start(mproc_command_t *cmd);
/*
 * Writes to the command's stdin pipe, waiting at most `timeout_ms` for
 * room. *written (may be NULL) gets the bytes written, which on ETIMEDOUT
 * may be fewer than `len`. Errors: ESTATE (stdin is not a pipe, or the
 * command was not started), EPIPE (the command closed its stdin).
 */
MPROC_API int mproc_command_write(mproc_command_t *cmd, const void *data, size_t len,
                                  size_t *written, int64_t timeout_ms);
/* Closes the stdin pipe, so the command sees end of input. */
MPROC_API int mproc_command_close_stdin(mproc_command_t *cmd);
/*
 * Reads what is available (at least one byte, at most `cap`) from the
 * stdout or stderr pipe, waiting at most `timeout_ms`. Errors: EOF (every
 * writer closed the pipe), ETIMEDOUT, ESTATE (not a pipe / not started),
 * EINVAL (cap 0: a byte stream has no next message to size, see
 * mproc/common.h, "Buffers").
 */
MPROC_API int mproc_command_read(mproc_command_t *cmd, int which, void *buf, size_t cap,
                                 size_t *n, int64_t timeout_ms);
/* Waits for the process to end (not for its pipes to close). 0 or
 * ETIMEDOUT. Errors: ESTATE (not started). */
MPROC_API int mproc_command_join(mproc_command_t *cmd, int64_t timeout_ms);
MPROC_API int mproc_command_is_alive(const mproc_command_t *cmd, int *alive);
MPROC_API int mproc_command_terminate(mproc_command_t *cmd);
MPROC_API int mproc_command_kill(mproc_command_t *cmd);
MPROC_API int mproc_command_pid(const mproc_command_t *cmd, int64_t *pid);
/* Exit status, or -N after signal N. Errors: ESTATE while running. */
MPROC_API int mproc_command_exitcode(const mproc_command_t *cmd, int *code);
/* Readable when the process has ended. Owned by the handle. */
MPROC_API int mproc_command_sentinel(const mproc_command_t *cmd, int *fd);
/* Frees the handle; a command still running goes on and is reaped in the
 * background. Accepts NULL. */
MPROC_API void mproc_command_free(mproc_command_t *cmd);

/*
 * Runs a command to completion and captures its stdout and stderr
 * separately, reading both as they come so that neither can fill its pipe
 * and stall the command, however much either writes (Python's
 * subprocess.run with capture_output). A non-NULL `input` (even of length
 * 0) is written to the command's stdin through a pipe, which is then
 * closed; a NULL `input` leaves stdin as `opts` says, or /dev/null by
 * default. The stdout and stderr settings of `opts` are replaced by pipes.
 *
 * On success *out gets the result (Python's CompletedProcess): free it
 * with mproc_capture_free. After the command ends, output still arriving
 * from a grandchild that holds the pipes is collected until it stops for
 * 100 ms or the pipes close.
 * Errors: those of mproc_command_start; ETIMEDOUT when the command runs past
 * `timeout_ms` (it is then killed and reaped; nothing is returned).
 */
MPROC_API int mproc_command_capture(const char *const *argv,
                                    const mproc_command_opts_t *opts,
                                    const void *input, size_t input_len,
                                    int64_t timeout_ms, mproc_capture_t **out);
/* The exit status, or -N after signal N. Errors: EINVAL. */
MPROC_API int mproc_capture_exitcode(const mproc_capture_t *c, int *code);
/* What the command wrote to stdout / stderr: *data gets NUL-terminated
 * bytes owned by the result (valid until mproc_capture_free), *len their
 * number (the NUL not counted; the bytes may hold NULs of their own).
 * Errors: EINVAL. */
MPROC_API int mproc_capture_stdout(const mproc_capture_t *c, const char **data, size_t *len);
MPROC_API int mproc_capture_stderr(const mproc_capture_t *c, const char **data, size_t *len);
/* Accepts NULL. */
MPROC_API void mproc_capture_free(mproc_capture_t *c);

#ifdef __cplusplus
}
#endif

#endif /* MPROC_COMMAND_H */
