/* Named objects on a /dev/shm too small for them (Docker's default is
 * 64 MiB; run_small_shm.sh mounts 1 MiB): a put that finds no room for the
 * ring's next pages fails with ENOSPC and a message naming /dev/shm's free
 * space. Nothing is lost, no signal is raised, and the queue goes on. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kMessage = 4096 };


static void fill(unsigned char *buf, int i) {
  for (int k = 0; k < kMessage; ++k) buf[k] = (unsigned char)(i * 31 + k);
}

int main(int argc, char **argv) {
  if (mproc_main(argc, argv) != 0) return 1;
  char name[64];
  snprintf(name, sizeof name, "mproc-test-smallshm-%lld", (long long)getpid());

  /* A queue far larger than /dev/shm: creating it costs one page. */
  mproc_queue_opts_t *qo = NULL;
  CHECK(mproc_queue_opts_new(&qo) == 0 && mproc_queue_opts_set_name(qo, name) == 0 &&
            mproc_queue_opts_set_capacity(qo, (size_t)64 << 20) == 0,
        "queue options");
  mproc_queue_t *q = NULL;
  CHECK(mproc_queue_new(&q, qo) == 0, "a 64 MiB named queue on a small /dev/shm");
  mproc_queue_opts_free(qo);

  unsigned char buf[kMessage];
  int put = 0, rc = 0;
  for (;;) {
    fill(buf, put);
    rc = mproc_queue_put(q, buf, sizeof buf, 0);
    if (rc != 0) break;
    ++put;
    CHECK(put < 100000, "the queue never filled");
  }
  printf("put %d messages of %d bytes, then: %s: %s\n", put, kMessage, mproc_err_name(rc),
         mproc_last_error());
  CHECK(rc == MPROC_ENOSPC, "expected ENOSPC, got %s", mproc_err_name(rc));
  CHECK(strstr(mproc_last_error(), "/dev/shm") != NULL, "the message names /dev/shm");
  CHECK(put > 0, "nothing could be put at all");

  /* Every message that was put is there, whole. */
  unsigned char got[kMessage], want[kMessage];
  for (int i = 0; i < put; ++i) {
    size_t len = 0;
    CHECK(mproc_queue_get_into(q, got, sizeof got, &len, 0) == 0, "get %d", i);
    fill(want, i);
    CHECK(len == kMessage && memcmp(got, want, len) == 0, "message %d changed", i);
  }
  size_t left = 1;
  CHECK(mproc_queue_qsize(q, &left) == 0 && left == 0, "messages left over");
  /* The pages it has are reused: the queue goes on. */
  fill(buf, 7);
  CHECK(mproc_queue_put(q, buf, sizeof buf, 0) == 0, "a put once there is room again");
  CHECK(mproc_unlink(name) == 0, "unlink");
  mproc_queue_free(q);

  /* A shared block is backed whole when made: too large, it is refused
   * and its name is not left behind. */
  mproc_shared_opts_t *so = NULL;
  CHECK(mproc_shared_opts_new(&so) == 0 && mproc_shared_opts_set_name(so, name) == 0, "opts");
  mproc_shm_t *block = NULL;
  rc = mproc_shm_new(&block, (size_t)8 << 20, so);
  CHECK(rc == MPROC_ENOSPC, "an 8 MiB named block: %s", mproc_err_name(rc));
  printf("an 8 MiB named block: %s: %s\n", mproc_err_name(rc), mproc_last_error());
  CHECK(mproc_shm_open(&block, name) == MPROC_ENOENT, "the failed block's name is gone");
  mproc_shared_opts_free(so);
  printf("no signal, nothing lost, clear errors\n");
  return 0;
}
