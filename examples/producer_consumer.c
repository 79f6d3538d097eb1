/* A producer and a consumer through a Queue: the producer makes five items
 * and then a sentinel (an empty message); the consumer stops at the
 * sentinel. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <time.h>

static void pause_ms(long ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

MPROC_TASK(producer) {
  mproc_queue_t *q = NULL;
  if (mproc_args_get_queue(args, 0, &q) != 0) return 2;
  for (int i = 0; i < 5; ++i) {
    char item[32];
    int n = snprintf(item, sizeof item, "bun %d", i);
    pause_ms(20);
    mproc_queue_put(q, item, (size_t)n, MPROC_FOREVER);
    printf("producer made %s\n", item);
  }
  mproc_queue_put(q, "", 0, MPROC_FOREVER);
  mproc_queue_free(q);
  return 0;
}

MPROC_TASK(consumer) {
  mproc_queue_t *q = NULL;
  if (mproc_args_get_queue(args, 0, &q) != 0) return 2;
  for (;;) {
    char item[32];
    size_t len = 0;
    if (mproc_queue_get_into(q, item, sizeof item - 1, &len, MPROC_FOREVER) != 0) return 3;
    if (len == 0) break; /* the sentinel */
    item[len] = '\0';
    pause_ms(30);
    printf("consumer ate %s\n", item);
  }
  mproc_queue_free(q);
  return 0;
}

static mproc_process_t *start(const char *task, mproc_queue_t *q) {
  mproc_args_t *args;
  mproc_args_new(&args);
  mproc_args_add_queue(args, q);
  mproc_process_t *p;
  mproc_process_new(&p, task, args, NULL);
  mproc_process_start(p);
  return p;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_queue_t *q;
  mproc_queue_new(&q, NULL);
  mproc_process_t *p = start("producer", q);
  mproc_process_t *c = start("consumer", q);
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_join(c, MPROC_FOREVER);
  printf("main: both done\n");
  mproc_process_free(p);
  mproc_process_free(c);
  mproc_queue_free(q);
  return 0;
}
