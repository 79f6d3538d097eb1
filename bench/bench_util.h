/* Timing and measuring helpers shared by the benchmark programs (C and
 * C++), on Linux and on Windows (mproc-bench.exe, run under Wine). */
#ifndef MPROC_BENCH_UTIL_H
#define MPROC_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef _WIN32
#include <sys/resource.h>
#endif

static inline double bench_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#ifdef _WIN32

/* In bench_win.cpp: windows.h stays out of the workloads (it defines
 * macros such as `near` and `far`). */
#ifdef __cplusplus
extern "C" {
#endif
/* Resident set size (the working set) of process `pid` in MiB, or -1. */
double bench_rss_mib(int64_t pid);
/* CPU time (user + kernel) this process has used, in milliseconds. */
double bench_cpu_ms(void);
#ifdef __cplusplus
}
#endif

#else

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

/* CPU time (user + system) this process has used, in milliseconds. */
static inline double bench_cpu_ms(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

#endif

#endif
