/* Shared by the cmocka suites: cmocka's includes, asserts that print
 * mproc's own error text when a call fails, and small process utilities. */
#ifndef MPROC_TEST_HARNESS_H
#define MPROC_TEST_HARNESS_H

#define _GNU_SOURCE 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mproc/mproc.h>

#include "portable.h"

/* Asserts that an mproc call returned `expected`, printing the code names
 * and the thread's last error text when it did not. */
#define assert_mproc_code(expr, expected)                                      \
  do {                                                                         \
    int mproc__rc = (expr);                                                    \
    int mproc__want = (expected);                                              \
    if (mproc__rc != mproc__want) {                                            \
      print_error("%s returned %s (%d), expected %s (%d): %s\n", #expr,        \
                  mproc_err_name(mproc__rc), mproc__rc,                        \
                  mproc_err_name(mproc__want), mproc__want,                    \
                  mproc_last_error());                                         \
      fail();                                                                  \
    }                                                                          \
  } while (0)

#define assert_mproc_ok(expr) assert_mproc_code((expr), 0)

/* Queries answer through out-parameters (mproc/common.h); these give the
 * answer as a value, for tests and their child tasks alike: NULL or 0 when
 * the call fails, which the test's own checks then catch. The tests of the
 * calls themselves call them directly. */
static inline const void *test_msg_data(const mproc_msg_t *m) {
  const void *data = NULL;
  return mproc_msg_data(m, &data) == 0 ? data : NULL;
}
static inline size_t test_msg_size(const mproc_msg_t *m) {
  size_t size = 0;
  return mproc_msg_size(m, &size) == 0 ? size : 0;
}
static inline void *test_shm_data(const mproc_shm_t *shm) {
  void *data = NULL;
  return mproc_shm_data(shm, &data) == 0 ? data : NULL;
}
static inline size_t test_shm_size(const mproc_shm_t *shm) {
  size_t size = 0;
  return mproc_shm_size(shm, &size) == 0 ? size : 0;
}
static inline size_t test_args_count(const mproc_args_t *args) {
  size_t count = 0;
  return mproc_args_count(args, &count) == 0 ? count : 0;
}

/* mproc_command_capture with its result copied out: *out and *err (either
 * may be NULL) get NUL-terminated copies to free(), *out_len / *err_len
 * their sizes, *code the exit status. Returns the call's code; on failure
 * nothing is set. */
static inline int test_capture(const char *const *argv, const mproc_command_opts_t *opts,
                               const void *input, size_t input_len, int64_t timeout_ms,
                               char **out, size_t *out_len, char **err, size_t *err_len,
                               int *code) {
  mproc_capture_t *c = NULL;
  int rc = mproc_command_capture(argv, opts, input, input_len, timeout_ms, &c);
  if (rc != 0) return rc;
  const char *bytes = NULL;
  size_t len = 0;
  if (mproc_capture_stdout(c, &bytes, &len) != 0) abort();
  if (out != NULL && (*out = malloc(len + 1)) != NULL) memcpy(*out, bytes, len + 1);
  if (out_len != NULL) *out_len = len;
  if (mproc_capture_stderr(c, &bytes, &len) != 0) abort();
  if (err != NULL && (*err = malloc(len + 1)) != NULL) memcpy(*err, bytes, len + 1);
  if (err_len != NULL) *err_len = len;
  if (code != NULL && mproc_capture_exitcode(c, code) != 0) abort();
  mproc_capture_free(c);
  return 0;
}

/* New map options with `chunksize` and, unless it is MPROC_FOREVER,
 * `timeout_ms` set; free them with mproc_map_opts_free. */
static inline mproc_map_opts_t *test_map_opts(size_t chunksize, int64_t timeout_ms) {
  mproc_map_opts_t *opts = NULL;
  if (mproc_map_opts_new(&opts) != 0 || mproc_map_opts_set_chunksize(opts, chunksize) != 0)
    abort();
  if (timeout_ms != MPROC_FOREVER && mproc_map_opts_set_timeout(opts, timeout_ms) != 0) abort();
  return opts;
}

/* Skips the current test, saying why (a skipped test always prints its
 * reason). */
#define test_skip_because(reason)                                             \
  do {                                                                        \
    print_message("skipped: %s\n", (reason));                                 \
    skip();                                                                   \
  } while (0)

/* A command that copies its stdin to its stdout: cat, or the test tool
 * (tests/helpers/test_tool.c) where there is no cat. */
#ifdef _WIN32
#define TEST_CAT_ARGV {TEST_TOOL_PATH, "cat", NULL}
#else
#define TEST_CAT_ARGV {"cat", NULL}
#endif

/* First thing in every suite's main: children spawned by mproc run their
 * task here and never come back. */
#define MPROC_TEST_MAIN_PROLOGUE(argc, argv)                                   \
  do {                                                                         \
    if (mproc_main((argc), (argv)) != 0) return 1;                             \
  } while (0)

#ifdef _WIN32
static void test__method_not_on_windows(void **state) {
  (void)state;
  /* What the platform promises instead: a clear refusal naming spawn. */
  assert_mproc_code(mproc_set_start_method(MPROC_START_FORK), MPROC_ENOTSUP);
  assert_non_null(strstr(mproc_last_error(), "use spawn"));
  assert_mproc_code(mproc_set_start_method(MPROC_START_FORKSERVER), MPROC_ENOTSUP);
  assert_non_null(strstr(mproc_last_error(), "use spawn"));
  assert_int_equal(mproc_get_start_method(), MPROC_START_SPAWN);
  test_skip_because("Windows has only the spawn start method (fork and forkserver give "
                    "MPROC_ENOTSUP)");
}
#endif

/* Sets the default start method from argv[1] ("spawn", "fork",
 * "forkserver"); returns the method's name for group names. On Windows a
 * suite run for fork or forkserver reports itself skipped and exits. */
static inline const char *test_start_method_from_args(int argc, char **argv) {
  mproc_start_method_t m = MPROC_START_SPAWN;
  if (argc > 1 && strcmp(argv[1], "fork") == 0) m = MPROC_START_FORK;
  if (argc > 1 && strcmp(argv[1], "forkserver") == 0) m = MPROC_START_FORKSERVER;
#ifdef _WIN32
  if (m != MPROC_START_SPAWN) {
    const struct CMUnitTest all[] = {cmocka_unit_test(test__method_not_on_windows)};
    exit(cmocka_run_group_tests_name(argv[1], all, NULL, NULL));
  }
#endif
  if (mproc_set_start_method(m) != 0) abort();
  return mproc_start_method_name(m);
}

/* Starts `task` with one argument: one end of a new duplex connection.
 * *near gets the other end (free it with mproc_conn_free). */
static inline mproc_process_t *test_start_with_pipe(const char *task,
                                                    mproc_process_opts_t *opts,
                                                    mproc_conn_t **near) {
  mproc_conn_t *far = NULL;
  assert_mproc_ok(mproc_conn_pipe(near, &far, 1));
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_conn(args, far));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, task, args, opts));
  assert_mproc_ok(mproc_process_start(p));
  mproc_conn_free(far); /* the child has its own end now */
  return p;
}

/* Runs a process for `task` with `args` (taken) and returns its exit code
 * after joining it (at most 60 s); fails the test on any error. */
static inline int test_run_task(const char *task, mproc_args_t *args) {
  mproc_process_t *p = NULL;
  int code = -1000;
  assert_mproc_ok(mproc_process_new(&p, task, args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  mproc_process_free(p);
  return code;
}

#endif
