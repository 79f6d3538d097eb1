/* Shared by the cmocka suites: cmocka's includes, and asserts that print
 * mproc's own error text when a call fails. */
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

#include <mproc/mproc.h>

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

/* First thing in every suite's main. */
#define MPROC_TEST_MAIN_PROLOGUE(argc, argv) \
  do {                                       \
    (void)(argc);                            \
    (void)(argv);                            \
  } while (0)

#endif
