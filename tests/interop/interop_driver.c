/* The interoperation test: one named queue shared by this C program and
 * programs in other languages. Each of them puts COUNT messages tagged with
 * its language and takes COUNT messages from whoever put them; afterwards
 * every message must have been taken exactly once.
 *
 *   interop-driver COUNT LANG PROGRAM [ARGS...] [-- LANG PROGRAM [ARGS...]]...
 * Each program runs as PROGRAM ARGS... QUEUE_NAME COUNT, puts "LANG:<i>"
 * for i below COUNT, and prints each message it took on a line. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kMaxLangs = 8, kMaxArgs = 30 };

static const char *langs[kMaxLangs];
static int nlangs;
static int count;
static unsigned char *tally; /* nlangs x count: times each message was taken */

/* Counts one taken message "<lang>:<i>"; false if nobody put it. */
static int record(const char *msg, size_t len) {
  for (int l = 0; l < nlangs; ++l) {
    size_t n = strlen(langs[l]);
    if (len > n + 1 && memcmp(msg, langs[l], n) == 0 && msg[n] == ':') {
      int i = atoi(msg + n + 1);
      if (i < 0 || i >= count) return 0;
      tally[l * count + i]++;
      return 1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (mproc_main(argc, argv) != 0) return 1;
  if (argc < 4) {
    fprintf(stderr, "usage: %s COUNT LANG PROGRAM [ARGS...] [-- LANG PROGRAM...]\n", argv[0]);
    return 2;
  }
  count = atoi(argv[1]);
  char name[64], count_text[16];
  snprintf(name, sizeof name, "mproc-interop-%lld", (long long)mproc_getpid());
  snprintf(count_text, sizeof count_text, "%d", count);
  mproc_queue_opts_t *opts;
  mproc_queue_opts_new(&opts);
  mproc_queue_opts_set_name(opts, name);
  mproc_queue_t *q;
  if (mproc_queue_new(&q, opts) != 0) {
    fprintf(stderr, "queue: %s\n", mproc_last_error());
    return 1;
  }
  mproc_queue_opts_free(opts);

  /* Start the peers, each printing what it took into a file of its own. */
  char dir[] = "/tmp/mproc-interop-XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  langs[nlangs++] = "c";
  mproc_command_t *peers[kMaxLangs];
  char outputs[kMaxLangs][128];
  int npeers = 0;
  for (int i = 2; i < argc && nlangs < kMaxLangs;) {
    langs[nlangs++] = argv[i++];
    const char *peer_argv[kMaxArgs + 3];
    int n = 0;
    while (i < argc && strcmp(argv[i], "--") != 0 && n < kMaxArgs) peer_argv[n++] = argv[i++];
    ++i; /* past "--" */
    peer_argv[n++] = name;
    peer_argv[n++] = count_text;
    peer_argv[n] = NULL;
    snprintf(outputs[npeers], sizeof outputs[npeers], "%s/%s.txt", dir, langs[nlangs - 1]);
    mproc_command_opts_t *co;
    mproc_command_opts_new(&co);
    mproc_command_opts_set_stdio_file(co, MPROC_STDOUT, outputs[npeers], 0);
    if (mproc_command_new(&peers[npeers], peer_argv, co) != 0 ||
        mproc_command_start(peers[npeers]) != 0) {
      fprintf(stderr, "%s: %s\n", peer_argv[0], mproc_last_error());
      return 1;
    }
    mproc_command_opts_free(co);
    ++npeers;
  }
  tally = calloc((size_t)nlangs * (size_t)count, 1);

  /* This program's own share: put, then take. */
  int unknown = 0;
  for (int i = 0; i < count; ++i) {
    char msg[32];
    int n = snprintf(msg, sizeof msg, "c:%d", i);
    if (mproc_queue_put(q, msg, (size_t)n, 60000) != 0) {
      fprintf(stderr, "put: %s\n", mproc_last_error());
      return 1;
    }
  }
  for (int i = 0; i < count; ++i) {
    char msg[64];
    size_t len = 0;
    if (mproc_queue_get_into(q, msg, sizeof msg - 1, &len, 60000) != 0) {
      fprintf(stderr, "get: %s\n", mproc_last_error());
      return 1;
    }
    msg[len] = '\0';
    unknown += !record(msg, len);
  }
  int failed_peers = 0;
  for (int p = 0; p < npeers; ++p) {
    int code = -1;
    mproc_command_join(peers[p], 120000);
    if (mproc_command_exitcode(peers[p], &code) != 0 || code != 0) {
      fprintf(stderr, "the %s peer failed (exit %d)\n", langs[p + 1], code);
      ++failed_peers;
    }
    mproc_command_free(peers[p]);
    FILE *f = fopen(outputs[p], "r");
    char line[128];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
      line[strcspn(line, "\n")] = '\0';
      unknown += !record(line, strlen(line));
    }
    if (f != NULL) fclose(f);
    unlink(outputs[p]);
  }
  rmdir(dir);
  mproc_unlink(name);
  mproc_queue_free(q);

  int missing = 0, doubled = 0;
  for (int l = 0; l < nlangs; ++l) {
    int once = 0;
    for (int i = 0; i < count; ++i) {
      unsigned char t = tally[l * count + i];
      once += t == 1;
      missing += t == 0;
      doubled += t > 1;
    }
    printf("%-7s %d of %d messages taken exactly once\n", langs[l], once, count);
  }
  free(tally);
  if (failed_peers || unknown || missing || doubled) {
    fprintf(stderr, "interop failed: %d peers failed, %d unknown, %d missing, %d doubled\n",
            failed_peers, unknown, missing, doubled);
    return 1;
  }
  printf("interop ok: %d languages x %d messages, each taken exactly once\n", nlangs, count);
  return 0;
}
