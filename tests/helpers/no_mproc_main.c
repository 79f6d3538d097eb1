/* A program that uses mproc but forgets to call mproc_main. Run plainly,
 * it spawns a child of itself; that child re-runs main() (it was never told
 * to stop at mproc_main) and tries to start a child of its own, which mproc
 * must refuse. Both report what happened on stdout. */
#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>

static int nothing(const mproc_args_t *args) {
  (void)args;
  return 0;
}

int main(void) {
  int child = getenv("MPROC_BOOTSTRAP_FD") != NULL;
  mproc_task_register("nothing", nothing);
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, "nothing", NULL, NULL) != 0) return 3;
  int rc = mproc_process_start(p);
  printf("%s start: %s\n", child ? "child" : "parent", mproc_err_name(rc));
  fflush(stdout);
  if (rc == 0) mproc_process_join(p, 10000);
  mproc_process_free(p);
  return 0;
}
