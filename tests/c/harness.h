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
  assert_mproc_ok(mproc_pipe(near, &far, 1));
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
