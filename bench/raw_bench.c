/* Raw operating-system baselines for the benchmarks: what the same work
 * costs with nothing but libc and the kernel. `raw-bench <workload>` prints
 * one number, in the unit of the workload it is compared against. */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"

typedef int (*raw_fn)(int argc, char **argv);

/* condvar_roundtrip: one thread hands a job to another through a mutex and
 * condition variable and waits for the answer: what a reactor hop is made
 * of, without libuv. Microseconds per round trip. */
static pthread_mutex_t rt_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rt_cv = PTHREAD_COND_INITIALIZER;
static long rt_posted, rt_done;
static int rt_stop;

static void *rt_server(void *arg) {
  (void)arg;
  pthread_mutex_lock(&rt_mu);
  for (;;) {
    while (rt_posted == rt_done && !rt_stop) pthread_cond_wait(&rt_cv, &rt_mu);
    if (rt_stop) break;
    rt_done = rt_posted;
    pthread_cond_broadcast(&rt_cv);
  }
  pthread_mutex_unlock(&rt_mu);
  return NULL;
}

static int condvar_roundtrip(int argc, char **argv) {
  (void)argc;
  (void)argv;
  enum { kWarmup = 2000, kCalls = 20000 };
  pthread_t server;
  pthread_create(&server, NULL, rt_server, NULL);
  double t0 = 0;
  for (int i = 0; i < kWarmup + kCalls; ++i) {
    if (i == kWarmup) t0 = bench_now_s();
    pthread_mutex_lock(&rt_mu);
    long want = ++rt_posted;
    pthread_cond_broadcast(&rt_cv);
    while (rt_done != want) pthread_cond_wait(&rt_cv, &rt_mu);
    pthread_mutex_unlock(&rt_mu);
  }
  double elapsed = bench_now_s() - t0;
  pthread_mutex_lock(&rt_mu);
  rt_stop = 1;
  pthread_cond_broadcast(&rt_cv);
  pthread_mutex_unlock(&rt_mu);
  pthread_join(server, NULL);
  printf("%.6g\n", elapsed / kCalls * 1e6);
  return 0;
}

static const struct {
  const char *name;
  raw_fn run;
} raw_workloads[] = {
    {"condvar_roundtrip", condvar_roundtrip},
};

int main(int argc, char **argv) {
  size_t n = sizeof raw_workloads / sizeof raw_workloads[0];
  if (argc >= 2) {
    for (size_t i = 0; i < n; ++i)
      if (strcmp(raw_workloads[i].name, argv[1]) == 0)
        return raw_workloads[i].run(argc - 2, argv + 2);
  }
  fprintf(stderr, "usage: raw-bench <workload>; workloads:\n");
  for (size_t i = 0; i < n; ++i) fprintf(stderr, "  %s\n", raw_workloads[i].name);
  return 2;
}
