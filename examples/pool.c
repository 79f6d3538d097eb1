/* A Pool of five workers running seven apply_async tasks: at most five run
 * at once, every result arrives, and close + join wait for them all. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

MPROC_POOL_TASK(work) {
  int64_t n = 0;
  if (len == sizeof n) memcpy(&n, in, sizeof n);
  struct timespec ts = {0, (long)(50 + n * 10) * 1000000L};
  nanosleep(&ts, NULL);
  char line[96];
  int size = snprintf(line, sizeof line, "task %lld ran in worker %lld", (long long)n,
                      (long long)mproc_getpid());
  return mproc_result_set(out, line, (size_t)size);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_pool_opts_t *opts;
  mproc_pool_opts_new(&opts);
  mproc_pool_opts_set_processes(opts, 5);
  mproc_pool_t *pool;
  if (mproc_pool_new(&pool, opts) != 0) return 1;
  mproc_pool_opts_free(opts);
  printf("--start--\n");
  mproc_future_t *futures[7];
  for (int64_t i = 0; i < 7; ++i)
    mproc_pool_apply_async(pool, "work", &i, sizeof i, NULL, &futures[i]);
  mproc_pool_close(pool);
  mproc_pool_join(pool, MPROC_FOREVER);
  for (int i = 0; i < 7; ++i) {
    mproc_msg_t *m = NULL;
    const void *text = NULL;
    size_t len = 0;
    if (mproc_future_result(futures[i], &m, 0) == 0 && mproc_msg_data(m, &text) == 0 &&
        mproc_msg_size(m, &len) == 0) {
      printf("%.*s\n", (int)len, (const char *)text);
      mproc_msg_free(m);
    }
    mproc_future_free(futures[i]);
  }
  printf("--end--\n");
  mproc_pool_free(pool);
  return 0;
}
