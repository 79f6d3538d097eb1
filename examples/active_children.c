/* cpu_count and active_children: how many CPUs this process may use, and
 * which of its children are still running. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <unistd.h>

MPROC_TASK(linger) {
  mproc_event_t *go = NULL;
  if (mproc_args_get_event(args, 0, &go) != 0) return 2;
  mproc_event_wait(go, 60000);
  mproc_event_free(go);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  printf("CPUs: %d\n", mproc_cpu_count());
  mproc_event_t *go;
  mproc_event_new(&go, NULL);
  mproc_process_t *ps[3];
  for (int i = 0; i < 3; ++i) {
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_event(args, go);
    mproc_process_new(&ps[i], "linger", args, NULL);
    mproc_process_start(ps[i]);
  }
  int64_t pids[8];
  size_t n = 0;
  mproc_active_children(pids, 8, &n);
  printf("active children: %zu\n", n);
  for (size_t i = 0; i < n && i < 8; ++i) printf("  child pid %lld\n", (long long)pids[i]);
  mproc_event_set(go);
  for (int i = 0; i < 3; ++i) {
    mproc_process_join(ps[i], MPROC_FOREVER);
    mproc_process_free(ps[i]);
  }
  mproc_active_children(pids, 8, &n);
  printf("active children after join: %zu\n", n);
  mproc_event_free(go);
  return 0;
}
