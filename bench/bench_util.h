/* Timing and measuring helpers shared by the benchmark programs (C and
 * C++). */
#ifndef MPROC_BENCH_UTIL_H
#define MPROC_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set size of process `pid` in MiB (VmRSS), or -1. */
static inline double bench_rss_mib(int64_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%lld/status", (long long)pid);
  FILE *f = fopen(path, "r");
  if (f == NULL) return -1;
  char line[256];
  double mib = -1;
  while (fgets(line, sizeof line, f) != NULL) {
    long kib;
    if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
      mib = (double)kib / 1024.0;
      break;
    }
  }
  fclose(f);
  return mib;
}

#endif
