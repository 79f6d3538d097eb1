/* A process running a function with arguments: the first program of every
 * multiprocessing tutorial. The parent goes on at once; the child says it
 * is running, works a moment, and says it is done. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <time.h>

MPROC_TASK(task) {
  const char *name = "?";
  mproc_args_get_str(args, 0, &name);
  printf("%s is running\n", name);
  struct timespec work = {0, 300 * 1000 * 1000};
  nanosleep(&work, NULL);
  printf("%s is done\n", name);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_args_t *args;
  mproc_args_new(&args);
  mproc_args_add_str(args, "child 1");
  mproc_process_t *p;
  if (mproc_process_new(&p, "task", args, NULL) != 0 || mproc_process_start(p) != 0) {
    fprintf(stderr, "could not start: %s\n", mproc_last_error());
    return 1;
  }
  printf("main process goes on\n");
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_free(p);
  return 0;
}
