/* Shared by the dict and list suites: killing a child at one step of an
 * update (the fault hook's container-step site, src/core/fault.hpp), and
 * reading a container's snapshot as text. */
#ifndef MPROC_TEST_CONTAINER_SUPPORT_H
#define MPROC_TEST_CONTAINER_SUPPORT_H

#include "harness.h"
#include "named_shm.h"

#include <signal.h>

/* The steps of an update (ContainerStep in src/core/containers/container.hpp). */
enum {
  STEP_LOCKED = 1,
  STEP_HALF_COPIED,
  STEP_LOGGED,
  STEP_COMMITTED, /* from here on the update has happened */
  STEP_HALF_APPLIED,
  STEP_APPLIED,
  STEP_CLEARED,
  STEP_SWEPT, /* clear only: part of the cleared blocks freed */
  STEP_LAST = STEP_SWEPT
};
/* How a process the fault hook ended exits (kFaultDeathExit). */
#define STEP_DEATH_EXIT 86

/* Whether an update reaches `step`: every one reaches the lock and the
 * commit sequence; only those that write a new entry copy one, and only a
 * clear of more than a few entries frees them in several steps. */
static inline int test_step_reached(int step, int copies, int sweeps) {
  if (step == STEP_HALF_COPIED) return copies;
  if (step == STEP_SWEPT) return sweeps;
  return 1;
}

/* Runs this program again as a command -- argv: self, "--step", op, name --
 * with MPROC_TEST_FAULT=container-step:<step>, and returns its exit code:
 * STEP_DEATH_EXIT when it died at the step, 0 when the update finished
 * without reaching it. The child's main hands "--step" to the suite's
 * step_child(op, name). A command rather than a process of a start
 * method: the fault plan is read from the environment once per process,
 * which only a fresh program is sure to do. */
static inline int test_run_step_child(const char *op, const char *name, int step) {
  if (!MPROC_TEST_FAULTS) return -1;
  static char self[1024];
  if (self[0] == '\0') assert_int_equal(test_self_path(self, sizeof self), 0);
  char plan[64];
  snprintf(plan, sizeof plan, "container-step:%d", step);
  const char *argv[] = {self, "--step", op, name, NULL};
  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_env_set(opts, "MPROC_TEST_FAULT", plan));
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  if (mproc_command_join(cmd, 60000) == MPROC_ETIMEDOUT) {
    assert_mproc_ok(mproc_command_kill(cmd));
    assert_mproc_ok(mproc_command_join(cmd, 60000));
    mproc_command_free(cmd);
    fail_msg("step child %s at step %d hung", op, step);
  }
  int code = -1;
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  mproc_command_free(cmd);
  if (code != 0 && code != STEP_DEATH_EXIT)
    fail_msg("step child %s at step %d exited with %d", op, step, code);
  return code;
}

/* Options for a new container: its limit (0: the default) and name (NULL:
 * anonymous). The caller frees them. */
static inline mproc_container_opts_t *test_container_opts(size_t limit, const char *name) {
  mproc_container_opts_t *opts = NULL;
  assert_mproc_ok(mproc_container_opts_new(&opts));
  if (limit > 0) assert_mproc_ok(mproc_container_opts_set_limit(opts, limit));
  if (name != NULL) assert_mproc_ok(mproc_container_opts_set_name(opts, name));
  return opts;
}

/* The length and the text of a dict or list: prefix_len(c) and
 * prefix_text(c), the snapshot as "k=v,..." sorted by key (a dict) or
 * "a,b,c" in order (a list). */
#define TEST_CONTAINER_QUERIES(prefix, type, by_key)                  \
  static size_t prefix##_len(const type *c) {                          \
    size_t n = 0;                                                      \
    assert_mproc_ok(mproc_##prefix##_len(c, &n));                      \
    return n;                                                          \
  }                                                                    \
  static const char *prefix##_text(const type *c) {                    \
    static char text[16384];                                           \
    mproc_items_t *items = NULL;                                       \
    assert_mproc_ok(mproc_##prefix##_items(c, &items));                \
    test_items_text(items, by_key, text, sizeof text);                 \
    mproc_items_free(items);                                           \
    return text;                                                       \
  }

/* A unique name for a named container of this test process. */
static inline void test_container_name(char *name, size_t size, const char *what) {
  static int serial;
  snprintf(name, size, "mproc-test-%s-%lld-%d", what, (long long)mproc_getpid(), ++serial);
}

static int test__compare_strings(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The snapshot as one line: its entries "key=value" (or "value" when
 * keys are empty), sorted when `sorted`, joined by ','. */
static inline void test_items_text(const mproc_items_t *items, int sorted, char *out,
                                   size_t size) {
  size_t n = 0;
  assert_mproc_ok(mproc_items_count(items, &n));
  char **parts = calloc(n + 1, sizeof *parts);
  assert_non_null(parts);
  for (size_t i = 0; i < n; ++i) {
    const void *k = NULL, *v = NULL;
    size_t kl = 0, vl = 0;
    assert_mproc_ok(mproc_items_key(items, i, &k, &kl));
    assert_mproc_ok(mproc_items_value(items, i, &v, &vl));
    parts[i] = malloc(kl + vl + 2);
    assert_non_null(parts[i]);
    if (kl > 0) {
      snprintf(parts[i], kl + vl + 2, "%.*s=%.*s", (int)kl, (const char *)k, (int)vl,
               (const char *)v);
    } else {
      snprintf(parts[i], vl + 1, "%.*s", (int)vl, (const char *)v);
    }
  }
  if (sorted) qsort(parts, n, sizeof *parts, test__compare_strings);
  out[0] = '\0';
  size_t used = 0;
  for (size_t i = 0; i < n; ++i) {
    int w = snprintf(out + used, size - used, "%s%s", i > 0 ? "," : "", parts[i]);
    assert_true(w >= 0 && (size_t)w < size - used);
    used += (size_t)w;
    free(parts[i]);
  }
  free(parts);
}

/* ---- Corrupting from outside ------------------------------------------- */

/* Writes 64 random bytes (from `seed`) here and there in the first heap
 * page of named container `name` (the page after its state page): its
 * first entries and table. */
static inline void test_scribble_heap(const char *name, uint32_t seed) {
  size_t size = 0;
  unsigned char *raw = map_named(name, &size);
  size_t page = (size_t)page_bytes();
  uint32_t rng = seed * 2654435761u;
  for (int i = 0; i < 64; ++i) {
    rng = rng * 1103515245u + 12345u;
    size_t at = page + (rng >> 8) % page;
    rng = rng * 1103515245u + 12345u;
    raw[at] = (unsigned char)(rng >> 16);
  }
  unmap_named(raw, size);
}

/* Fills the state page of named container `name` past its object header
 * with 0xff: every count, the root, the redo log, and the lock (which
 * reads as held by an owner that died). */
static inline void test_blast_state(const char *name) {
  size_t size = 0;
  unsigned char *raw = map_named(name, &size);
  memset(raw + 64, 0xff, (size_t)page_bytes() - 64);
  unmap_named(raw, size);
}

/* ---- Processes --------------------------------------------------------- */

/* Starts `task` with a container's argument (added by add(args)), a shared
 * block and a number. */
static inline mproc_process_t *test_start_writer(const char *task,
                                                 void (*add)(mproc_args_t *, void *),
                                                 void *container, mproc_shm_t *shm,
                                                 int64_t number) {
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  add(a, container);
  assert_mproc_ok(mproc_args_add_shm(a, shm));
  assert_mproc_ok(mproc_args_add_i64(a, number));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, task, a, NULL));
  assert_mproc_ok(mproc_process_start(p));
  return p;
}

/* Joins a child (at most 120 s) and returns its exit code. */
static inline int test_join_code(mproc_process_t *p) {
  int code = -1000;
  assert_mproc_ok(mproc_process_join(p, 120000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  mproc_process_free(p);
  return code;
}

/* Kills a random writer of `n` at a random moment, `kills` times, and
 * starts it again with restart(w, ctx); between kills (up to 4 ms) it
 * reads with read(ctx), which counts what it found wrong. At the end
 * every writer is killed. Returns what read counted. */
static inline long test_kill_writers(mproc_process_t **writers, int n, int kills,
                                     mproc_process_t *(*restart)(int w, void *ctx),
                                     long (*read)(void *ctx), void *ctx) {
  uint32_t rng = (uint32_t)mproc_getpid();
  long wrong = 0;
  for (int kill = 0; kill < kills; ++kill) {
    rng = rng * 1103515245u + 12345u;
    int64_t until = test_now_ms() + (int64_t)((rng >> 8) % 4);
    do {
      wrong += read(ctx);
    } while (test_now_ms() < until);
    int victim = (int)((rng >> 4) % (uint32_t)n);
    assert_mproc_ok(mproc_process_kill(writers[victim]));
    assert_int_equal(test_join_code(writers[victim]), -SIGKILL);
    writers[victim] = restart(victim, ctx);
  }
  for (int w = 0; w < n; ++w) {
    assert_mproc_ok(mproc_process_kill(writers[w]));
    assert_int_equal(test_join_code(writers[w]), -SIGKILL);
  }
  return wrong;
}

#endif
