/* The namespace tests are plain programs (their peers are started by
 * unshare(1), outside cmocka): a failed check prints where, why and mproc's
 * last error, and exits 1. */
#ifndef MPROC_TEST_NS_CHECK_H
#define MPROC_TEST_NS_CHECK_H

#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                              \
  do {                                                \
    if (!(cond)) {                                    \
      fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                   \
      fprintf(stderr, " [%s]\n", mproc_last_error()); \
      exit(1);                                        \
    }                                                 \
  } while (0)

#endif
