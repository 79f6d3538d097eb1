/* Joining one by one against starting all, then joining all: three
 * children that each work 200 ms take about 600 ms in a row, about 200 ms
 * side by side -- beside the time spent starting them, which each run
 * prints too (it depends on the machine: a process takes longer to create
 * under Wine or on a loaded machine than these children work). */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <time.h>

MPROC_TASK(work) {
  int64_t ms = 0;
  mproc_args_get_i64(args, 0, &ms);
  struct timespec ts = {0, (long)ms * 1000000L};
  nanosleep(&ts, NULL);
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static mproc_process_t *make(void) {
  mproc_args_t *args;
  mproc_args_new(&args);
  mproc_args_add_i64(args, 200);
  mproc_process_t *p;
  mproc_process_new(&p, "work", args, NULL);
  return p;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_process_t *ps[3];

  double t0 = now(), starting = 0;
  for (int i = 0; i < 3; ++i) {
    ps[i] = make();
    double s0 = now();
    mproc_process_start(ps[i]);
    starting += now() - s0;
    mproc_process_join(ps[i], MPROC_FOREVER);  /* wait before starting the next */
    mproc_process_free(ps[i]);
  }
  printf("one by one: %.2f s (%.2f s of it starting)\n", now() - t0, starting);

  t0 = now();
  starting = 0;
  for (int i = 0; i < 3; ++i) {
    ps[i] = make();
    double s0 = now();
    mproc_process_start(ps[i]);
    starting += now() - s0;
  }
  for (int i = 0; i < 3; ++i) {
    mproc_process_join(ps[i], MPROC_FOREVER);
    mproc_process_free(ps[i]);
  }
  printf("all at once: %.2f s (%.2f s of it starting)\n", now() - t0, starting);
  return 0;
}
