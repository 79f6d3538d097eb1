/* The ticket office: ten buyers, a stock of three tickets in a JSON file,
 * and a Lock so that reading and rewriting the stock is one step. Exactly
 * three buyers succeed. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

/* Creates the stock file with a unique name in the temporary folder. */
static int make_temp_file(char *path, size_t size) {
#ifdef _WIN32
  char dir[MAX_PATH + 1];
  DWORD n = GetTempPathA(sizeof dir, dir);
  if (n == 0 || n > sizeof dir || size < MAX_PATH) return -1;
  return GetTempFileNameA(dir, "mpt", 0, path) != 0 ? 0 : -1;
#else
  snprintf(path, size, "/tmp/mproc-tickets-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
#endif
}

static int read_count(const char *path) {
  FILE *f = fopen(path, "r");
  int count = -1;
  if (f != NULL) {
    if (fscanf(f, " {\"count\": %d}", &count) != 1) count = -1;
    fclose(f);
  }
  return count;
}

static void write_count(const char *path, int count) {
  FILE *f = fopen(path, "w");
  if (f != NULL) {
    fprintf(f, "{\"count\": %d}\n", count);
    fclose(f);
  }
}

MPROC_TASK(buy) {
  const char *path = NULL;
  mproc_lock_t *lock = NULL;
  if (mproc_args_get_str(args, 0, &path) != 0 || mproc_args_get_lock(args, 1, &lock) != 0)
    return 2;
  mproc_lock_acquire(lock, MPROC_FOREVER);
  int left = read_count(path);
  struct timespec network = {0, 20 * 1000 * 1000}; /* the network is slow */
  nanosleep(&network, NULL);
  int bought = left > 0;
  if (bought) write_count(path, left - 1);
  mproc_lock_release(lock);
  mproc_lock_free(lock);
  printf("%lld %s\n", (long long)mproc_getpid(), bought ? "bought a ticket" : "found none left");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  char path[512];
  if (make_temp_file(path, sizeof path) != 0) return 1;
  write_count(path, 3);
  mproc_lock_t *lock;
  mproc_lock_new(&lock, NULL);
  mproc_process_t *buyers[10];
  for (int i = 0; i < 10; ++i) {
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_str(args, path);
    mproc_args_add_lock(args, lock);
    mproc_process_new(&buyers[i], "buy", args, NULL);
    mproc_process_start(buyers[i]);
  }
  for (int i = 0; i < 10; ++i) {
    mproc_process_join(buyers[i], MPROC_FOREVER);
    mproc_process_free(buyers[i]);
  }
  printf("tickets left: %d\n", read_count(path));
  remove(path);
  mproc_lock_free(lock);
  return 0;
}
