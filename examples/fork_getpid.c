/* fork, getpid and the parent's pid: with the fork start method the child is
 * a copy of the parent and knows who started it (mproc_parent_pid). */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>

MPROC_TASK(child) {
  printf("I am the child %lld, my parent is %lld\n", (long long)mproc_getpid(),
         (long long)mproc_parent_pid());
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  int rc = mproc_set_start_method(MPROC_START_FORK);
  mproc_process_t *p;
  mproc_process_new(&p, "child", NULL, NULL);
  if (rc == 0) rc = mproc_process_start(p);
  if (rc == MPROC_ENOTSUP) {
    /* Windows has no fork: the child is a fresh start of this program. */
    printf("no fork here (%s): using spawn\n", mproc_last_error());
    mproc_set_start_method(MPROC_START_SPAWN);
    mproc_process_free(p);
    mproc_process_new(&p, "child", NULL, NULL);
    mproc_process_start(p);
  }
  int64_t pid = 0;
  mproc_process_pid(p, &pid);
  printf("I am the parent %lld, my child is %lld\n", (long long)mproc_getpid(),
         (long long)pid);
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
  return 0;
}
