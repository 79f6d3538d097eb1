/* Shared lists: every operation with Python's indexes, bad input, a full
 * list, anonymous lists passed to children and named ones opened by them
 * (argv[1] picks the start method), lock-free readers beside writers,
 * consistent snapshots, a child killed at each step of every kind of
 * update (the fault hook), corrupt shared state, and four writers
 * SIGKILLed at random moments. */
#include "harness.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "container_support.h"
#include "named_shm.h"

/* ---- Helpers ------------------------------------------------------------ */

static mproc_list_t *new_list(size_t limit, const char *name) {
  mproc_container_opts_t *opts = test_container_opts(limit, name);
  mproc_list_t *l = NULL;
  assert_mproc_ok(mproc_list_new(&l, opts));
  mproc_container_opts_free(opts);
  return l;
}

static void append_str(mproc_list_t *l, const char *v) {
  assert_mproc_ok(mproc_list_append(l, v, strlen(v)));
}

/* Element i as a string ("<none>" when out of range). */
static const char *get_str(const mproc_list_t *l, int64_t i) {
  static char buf[4096];
  size_t len = 0;
  int rc = mproc_list_get_into(l, i, buf, sizeof buf - 1, &len);
  if (rc == MPROC_ERANGE) return "<none>";
  assert_mproc_ok(rc);
  buf[len] = '\0';
  return buf;
}

static const char *pop_str(mproc_list_t *l, int64_t i) {
  static char buf[4096];
  mproc_msg_t *m = NULL;
  int rc = mproc_list_pop(l, i, &m);
  if (rc == MPROC_ERANGE) return "<none>";
  assert_mproc_ok(rc);
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_mproc_ok(mproc_msg_size(m, &size));
  snprintf(buf, sizeof buf, "%.*s", (int)size, (const char *)data);
  mproc_msg_free(m);
  return buf;
}

TEST_CONTAINER_QUERIES(list, mproc_list_t, 0)

/* ---- Every operation ---------------------------------------------------- */

static void every_operation(void **state) {
  (void)state;
  mproc_list_t *l = new_list(0, NULL);
  const char *name = NULL;
  assert_mproc_ok(mproc_list_name(l, &name));
  assert_string_equal(name, "");
  assert_int_equal(list_len(l), 0);
  assert_string_equal(get_str(l, 0), "<none>");
  assert_string_equal(get_str(l, -1), "<none>");
  assert_mproc_code(mproc_list_pop(l, -1, NULL), MPROC_ERANGE);
  assert_non_null(strstr(mproc_last_error(), "outside the list"));

  append_str(l, "b");
  append_str(l, "d");
  assert_mproc_ok(mproc_list_insert(l, 0, "a", 1));
  assert_mproc_ok(mproc_list_insert(l, 2, "c", 1));
  assert_mproc_ok(mproc_list_insert(l, 100, "e", 1));   /* past the end: appends */
  assert_mproc_ok(mproc_list_insert(l, -100, "0", 1));  /* before the start */
  assert_mproc_ok(mproc_list_insert(l, -1, "d2", 2));   /* before the last */
  assert_string_equal(list_text(l), "0,a,b,c,d,d2,e");
  assert_int_equal(list_len(l), 7);
  assert_string_equal(get_str(l, 0), "0");
  assert_string_equal(get_str(l, -1), "e");
  assert_string_equal(get_str(l, -7), "0");
  assert_string_equal(get_str(l, -8), "<none>");
  assert_string_equal(get_str(l, 7), "<none>");
  assert_string_equal(get_str(l, INT64_MIN), "<none>");
  assert_string_equal(get_str(l, INT64_MAX), "<none>");

  assert_mproc_ok(mproc_list_set(l, 3, "C, longer now", 13));
  assert_mproc_ok(mproc_list_set(l, -2, "", 0));
  assert_mproc_code(mproc_list_set(l, 7, "x", 1), MPROC_ERANGE);
  assert_string_equal(list_text(l), "0,a,b,C, longer now,d,,e");

  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_list_get(l, 1, &m));
  const void *data = NULL;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_memory_equal(data, "a", 1);
  mproc_msg_free(m);
  size_t len = 0;
  assert_mproc_code(mproc_list_get_into(l, 3, NULL, 0, &len), MPROC_ETOOBIG);
  assert_int_equal(len, 13);

  assert_string_equal(pop_str(l, -1), "e");
  assert_string_equal(pop_str(l, 0), "0");
  assert_string_equal(pop_str(l, 2), "C, longer now");
  assert_mproc_ok(mproc_list_pop(l, -1, NULL));
  assert_string_equal(list_text(l), "a,b,d");
  assert_string_equal(pop_str(l, 3), "<none>");

  size_t used = 0, limit = 0;
  assert_mproc_ok(mproc_list_usage(l, &used, &limit));
  assert_int_equal(limit, MPROC_CONTAINER_DEFAULT_LIMIT);
  assert_true(used > 0);
  assert_mproc_ok(mproc_list_check(l));
  assert_mproc_ok(mproc_list_clear(l));
  assert_int_equal(list_len(l), 0);
  assert_string_equal(list_text(l), "");
  assert_mproc_ok(mproc_list_usage(l, &used, NULL));
  assert_int_equal(used, 0);
  append_str(l, "after");
  assert_string_equal(list_text(l), "after");
  assert_mproc_ok(mproc_list_check(l));
  mproc_list_free(l);
}

static void many_elements_keep_their_order(void **state) {
  (void)state;
  mproc_list_t *l = new_list(0, NULL);
  enum { N = 20000 };
  char v[32];
  for (int i = 0; i < N; ++i) {
    snprintf(v, sizeof v, "%d", i);
    append_str(l, v);
  }
  assert_int_equal(list_len(l), N);
  for (int i = 0; i < N; i += 997) {
    snprintf(v, sizeof v, "%d", i);
    assert_string_equal(get_str(l, i), v);
  }
  /* Pop most from the end (the array shrinks), some from the front. */
  for (int i = N - 1; i >= 100; --i) {
    snprintf(v, sizeof v, "%d", i);
    assert_string_equal(pop_str(l, -1), v);
  }
  for (int i = 0; i < 50; ++i) {
    snprintf(v, sizeof v, "%d", i);
    assert_string_equal(pop_str(l, 0), v);
  }
  assert_int_equal(list_len(l), 50);
  assert_string_equal(get_str(l, 0), "50");
  assert_mproc_ok(mproc_list_check(l));
  mproc_list_free(l);
}

static void a_full_list_says_so_and_stays_usable(void **state) {
  (void)state;
  mproc_list_t *l = new_list(4096, NULL);
  char v[100];
  memset(v, 'v', sizeof v);
  int rc = 0, i = 0;
  for (; i < 1000; ++i) {
    rc = mproc_list_append(l, v, sizeof v);
    if (rc != 0) break;
  }
  assert_mproc_code(rc, MPROC_EFULL);
  assert_non_null(strstr(mproc_last_error(), "full"));
  assert_true(i > 10);
  assert_int_equal(list_len(l), (size_t)i);
  assert_mproc_ok(mproc_list_check(l));
  assert_mproc_ok(mproc_list_pop(l, -1, NULL));
  assert_mproc_ok(mproc_list_append(l, v, sizeof v));
  static char huge[8192];
  assert_mproc_code(mproc_list_append(l, huge, sizeof huge), MPROC_ETOOBIG);
  assert_mproc_ok(mproc_list_clear(l));
  assert_mproc_ok(mproc_list_append(l, v, sizeof v));
  assert_mproc_ok(mproc_list_check(l));
  mproc_list_free(l);
}

static void bad_input(void **state) {
  (void)state;
  size_t n = 0;
  assert_mproc_code(mproc_list_new(NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_list_append(NULL, "v", 1), MPROC_EINVAL);
  assert_mproc_code(mproc_list_len(NULL, &n), MPROC_EINVAL);
  mproc_list_t *l = new_list(0, NULL);
  assert_mproc_code(mproc_list_append(l, NULL, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_list_insert(l, 0, NULL, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_list_set(l, 0, NULL, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_list_get(l, 0, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_list_get_into(l, 0, NULL, 4, &n), MPROC_EINVAL);
  assert_mproc_code(mproc_list_len(l, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_list_items(l, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_list_open(NULL, "x"), MPROC_EINVAL);
  mproc_list_t *none = NULL;
  assert_mproc_code(mproc_list_open(&none, "mproc-test-no-such-list"), MPROC_ENOENT);
  mproc_dict_t *d = NULL;
  assert_mproc_ok(mproc_dict_new(&d, NULL));
  assert_mproc_code(mproc_list_len((const mproc_list_t *)(const void *)d, &n), MPROC_EINVAL);
  mproc_dict_free(d);
  mproc_list_t *freed = new_list(0, NULL);
  mproc_list_free(freed);
  assert_mproc_code(mproc_list_append(freed, "x", 1), MPROC_EINVAL);
  mproc_list_free(l);
  mproc_list_free(NULL);
}

/* ---- Across processes ---------------------------------------------------- */

/* Appends its number (arg 1) to the list it was given (arg 0), or to the
 * named one (arg 0 a string). */
MPROC_TASK(list_child) {
  mproc_list_t *l = NULL;
  const char *name = NULL;
  int64_t n = 0;
  if (mproc_args_get_list(args, 0, &l) != 0) {
    if (mproc_args_get_str(args, 0, &name) != 0 || mproc_list_open(&l, name) != 0) return 100;
  }
  if (mproc_args_get_i64(args, 1, &n) != 0) return 101;
  char v[16];
  int vl = snprintf(v, sizeof v, "child%lld", (long long)n);
  if (mproc_list_append(l, v, (size_t)vl) != 0) return 102;
  mproc_list_free(l);
  return 0;
}

static void children_append_to_anonymous_and_named_lists(void **state) {
  (void)state;
  char name[96];
  test_container_name(name, sizeof name, "list");
  mproc_list_t *anon = new_list(0, NULL);
  mproc_list_t *named = new_list(0, name);
  for (int i = 0; i < 3; ++i) {
    for (int which = 0; which < 2; ++which) {
      mproc_args_t *a = NULL;
      assert_mproc_ok(mproc_args_new(&a));
      if (which == 0) assert_mproc_ok(mproc_args_add_list(a, anon));
      if (which == 1) assert_mproc_ok(mproc_args_add_str(a, name));
      assert_mproc_ok(mproc_args_add_i64(a, i));
      assert_int_equal(test_run_task("list_child", a), 0);
    }
  }
  assert_string_equal(list_text(anon), "child0,child1,child2");
  assert_string_equal(list_text(named), "child0,child1,child2");
  mproc_dict_t *d = NULL;
  assert_mproc_code(mproc_dict_open(&d, name), MPROC_ETYPE);
  assert_mproc_ok(mproc_unlink(name));
  mproc_list_free(anon);
  mproc_list_free(named);
}

/* ---- Readers beside writers ------------------------------------------------ */

/* Keeps the list [n] or [n, n+1]: appends n+1, then pops the first. A
 * snapshot that mixed moments could show something else. */
MPROC_TASK(sliding_writer) {
  mproc_list_t *l = NULL;
  int64_t rounds = 0;
  if (mproc_args_get_list(args, 0, &l) != 0 || mproc_args_get_i64(args, 1, &rounds) != 0)
    return 100;
  char v[32];
  for (int64_t n = 1; n <= rounds; ++n) {
    int vl = snprintf(v, sizeof v, "%lld", (long long)n);
    if (mproc_list_append(l, v, (size_t)vl) != 0) return 101;
    if (mproc_list_pop(l, 0, NULL) != 0) return 102;
  }
  mproc_list_free(l);
  return 0;
}

static void snapshots_and_reads_see_one_moment(void **state) {
  (void)state;
  mproc_list_t *l = new_list(0, NULL);
  append_str(l, "0");
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_list(a, l));
  assert_mproc_ok(mproc_args_add_i64(a, 50000));
  mproc_process_t *w = NULL;
  assert_mproc_ok(mproc_process_new(&w, "sliding_writer", a, NULL));
  assert_mproc_ok(mproc_process_start(w));
  /* At least one look, however late this thread runs (the writer may be
   * done before it is first scheduled on a loaded machine). */
  for (int alive = 1; alive;) {
    assert_mproc_ok(mproc_process_is_alive(w, &alive));
    const char *text = list_text(l);
    long first = atol(text);
    const char *comma = strchr(text, ',');
    if (comma != NULL && (atol(comma + 1) != first + 1 || strchr(comma + 1, ',') != NULL))
      fail_msg("a snapshot held %s", text);
    /* Single reads: the last element is never older than the first. */
    long last = atol(get_str(l, -1));
    assert_true(last >= first);
  }
  assert_int_equal(test_join_code(w), 0);
  assert_string_equal(list_text(l), "50000");
  assert_mproc_ok(mproc_list_check(l));
  mproc_list_free(l);
}

/* ---- A child killed at each step of an update ------------------------------ */

struct step_case {
  const char *op;
  int prepared;       /* elements "e0", "e1", ... put first */
  const char *after;  /* the list after the update */
  int copies, sweeps; /* see test_step_reached */
};

static char before_text[16384];

static const struct step_case step_cases[] = {
    {"append", 3, "e0,e1,e2,new", 1, 0},
    /* The first array has 19 slots (a 192-byte class): the 20th grows it. */
    {"append-grow", 19, NULL, 1, 0},
    {"pop-last", 3, "e0,e1", 0, 0},
    {"pop-middle", 3, "e0,e2", 0, 0},
    {"insert", 3, "e0,new,e1,e2", 1, 0},
    {"set", 3, "e0,e1,new", 1, 0},
    {"clear", 150, "", 0, 1},
};

static int step_child(const char *op, const char *name) {
  mproc_list_t *l = NULL;
  if (mproc_list_open(&l, name) != 0) return 100;
  int rc = -1;
  if (strcmp(op, "append") == 0 || strcmp(op, "append-grow") == 0)
    rc = mproc_list_append(l, "new", 3);
  if (strcmp(op, "pop-last") == 0) rc = mproc_list_pop(l, -1, NULL);
  if (strcmp(op, "pop-middle") == 0) rc = mproc_list_pop(l, 1, NULL);
  if (strcmp(op, "insert") == 0) rc = mproc_list_insert(l, 1, "new", 3);
  if (strcmp(op, "set") == 0) rc = mproc_list_set(l, -1, "new", 3);
  if (strcmp(op, "clear") == 0) rc = mproc_list_clear(l);
  mproc_list_free(l);
  return rc == 0 ? 0 : 101;
}

static void a_child_killed_at_each_step_of_an_update(void **state) {
  const char *method = *state;
  if (!MPROC_TEST_FAULTS) test_skip_because("this build has no fault hook (meson -Dfault_injection)");
  if (strcmp(method, "spawn") != 0)
    test_skip_because("the step children are commands, the same under every start method: "
                      "run once, in the spawn suite");
  for (size_t c = 0; c < sizeof step_cases / sizeof step_cases[0]; ++c) {
    const struct step_case *sc = &step_cases[c];
    for (int step = STEP_LOCKED; step <= STEP_LAST; ++step) {
      char name[96];
      test_container_name(name, sizeof name, "list-step");
      mproc_list_t *l = new_list(0, name);
      char v[16];
      for (int i = 0; i < sc->prepared; ++i) {
        snprintf(v, sizeof v, "e%d", i);
        append_str(l, v);
      }
      snprintf(before_text, sizeof before_text, "%s", list_text(l));
      char after[sizeof before_text + 8];
      if (sc->after != NULL)
        snprintf(after, sizeof after, "%s", sc->after);
      else
        snprintf(after, sizeof after, "%s,new", before_text);
      int code = test_run_step_child(sc->op, name, step);
      assert_int_equal(code, test_step_reached(step, sc->copies, sc->sweeps) ? STEP_DEATH_EXIT : 0);
      int happened = code == 0 || step >= STEP_COMMITTED;
      /* Readers first, lock-free, before anyone takes the dead writer's
       * lock over: they see the list whole, as it was before the update
       * or (from the commit on, once applied) after it. */
      const char *text = list_text(l);
      if (strcmp(text, before_text) != 0 && (!happened || strcmp(text, after) != 0))
        fail_msg("%s, step %d: a snapshot held '%.60s'", sc->op, step, text);
      /* The check takes the lock and finishes a committed update first. */
      assert_mproc_ok(mproc_list_check(l));
      assert_string_equal(list_text(l), happened ? after : before_text);
      append_str(l, "next");
      assert_string_equal(get_str(l, -1), "next");
      assert_mproc_ok(mproc_list_check(l));
      assert_mproc_ok(mproc_unlink(name));
      mproc_list_free(l);
    }
  }
}

/* ---- Corrupt shared state ------------------------------------------------------ */


static void exercise(mproc_list_t *l) {
  char buf[256];
  size_t len = 0;
  for (int i = 0; i < 40; ++i) {
    int rc = mproc_list_get_into(l, i - 20, buf, sizeof buf, &len);
    assert_true(rc == 0 || rc == MPROC_ERANGE || rc == MPROC_ECORRUPT || rc == MPROC_ETOOBIG);
    rc = mproc_list_append(l, "value", 5);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_EFULL || rc == MPROC_ETOOBIG);
    rc = mproc_list_insert(l, 1, "v", 1);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_EFULL || rc == MPROC_ETOOBIG);
    rc = mproc_list_pop(l, i % 3 - 1, NULL);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_ERANGE);
    rc = mproc_list_set(l, 0, "s", 1);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_ERANGE || rc == MPROC_EFULL);
  }
  mproc_items_t *items = NULL;
  int rc = mproc_list_items(l, &items);
  assert_true(rc == 0 || rc == MPROC_ECORRUPT);
  mproc_items_free(items);
  size_t n = 0;
  rc = mproc_list_len(l, &n);
  assert_true(rc == 0 || rc == MPROC_ECORRUPT);
  rc = mproc_list_clear(l);
  assert_true(rc == 0 || rc == MPROC_ECORRUPT);
}

static void corrupt_shared_state_is_reported_not_fatal(void **state) {
  (void)state;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    char name[96];
    test_container_name(name, sizeof name, "list-corrupt");
    mproc_list_t *l = new_list(16384, name);
    for (int i = 0; i < 40; ++i) append_str(l, "some value");
    test_scribble_heap(name, seed);
    exercise(l);
    int rc = mproc_list_check(l);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT);
    assert_mproc_ok(mproc_unlink(name));
    mproc_list_free(l);
  }
  char name[96];
  test_container_name(name, sizeof name, "list-corrupt");
  mproc_list_t *l = new_list(16384, name);
  append_str(l, "a");
  test_blast_state(name);
  assert_string_equal(mproc_err_name(mproc_list_append(l, "b", 1)), "ECORRUPT");
  assert_non_null(strstr(mproc_last_error(), "corrupt"));
  assert_mproc_code(mproc_list_check(l), MPROC_ECORRUPT);
  exercise(l);
  mproc_list_t *again = NULL;
  assert_mproc_code(mproc_list_open(&again, name), MPROC_ECORRUPT);
  assert_mproc_ok(mproc_unlink(name));
  mproc_list_free(l);
}

/* ---- Writers SIGKILLed at random moments ---------------------------------------- */

enum { kKillWriters = 4, kKills = 60 };

/* Counts of each writer's appends and pops: begun, and seen to finish. */
struct list_books {
  _Atomic uint64_t seq[kKillWriters];
  _Atomic uint64_t appends_begun, appends_done, pops_begun, pops_done;
};

struct element {
  uint32_t writer;
  uint32_t check;
  uint64_t seq;
  unsigned char pad[48];
};

static uint32_t element_check(const struct element *e) {
  uint32_t h = 2166136261u ^ e->writer ^ (uint32_t)e->seq;
  for (size_t i = 0; i < sizeof e->pad; ++i) h = (h ^ e->pad[i]) * 16777619u;
  return h;
}

static int element_valid(const void *p, size_t len) {
  struct element e;
  if (len != sizeof e) return 0;
  memcpy(&e, p, sizeof e);
  return e.writer < kKillWriters && e.check == element_check(&e);
}

MPROC_TASK(killable_list_writer) {
  mproc_list_t *l = NULL;
  mproc_shm_t *shm = NULL;
  int64_t w = 0;
  if (mproc_args_get_list(args, 0, &l) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &w) != 0)
    return 100;
  struct list_books *books = test_shm_data(shm);
  struct element e;
  e.writer = (uint32_t)w;
  for (;;) {
    uint64_t seq = atomic_fetch_add(&books->seq[w], 1);
    /* Two appends for each pop: the list grows. */
    if (seq % 3 == 2) {
      atomic_fetch_add(&books->pops_begun, 1);
      int rc = mproc_list_pop(l, (int64_t)(seq % 5) - 3, NULL);
      if (rc != 0 && rc != MPROC_ERANGE) return 101;
      if (rc == MPROC_ERANGE) atomic_fetch_sub(&books->pops_begun, 1);
      if (rc == 0) atomic_fetch_add(&books->pops_done, 1);
    } else {
      e.seq = seq;
      for (size_t i = 0; i < sizeof e.pad; ++i) e.pad[i] = (unsigned char)(seq + i);
      e.check = element_check(&e);
      atomic_fetch_add(&books->appends_begun, 1);
      if (mproc_list_append(l, &e, sizeof e) != 0) return 102;
      atomic_fetch_add(&books->appends_done, 1);
    }
  }
}

static void add_list(mproc_args_t *a, void *l) { assert_mproc_ok(mproc_args_add_list(a, l)); }

struct kill_ctx {
  mproc_list_t *l;
  mproc_shm_t *shm;
};

static mproc_process_t *restart_writer(int w, void *ctx) {
  struct kill_ctx *k = ctx;
  return test_start_writer("killable_list_writer", add_list, k->l, k->shm, w);
}

/* Lock-free reads of both ends: how many values did not check out. */
static long read_some(void *ctx) {
  struct kill_ctx *k = ctx;
  long torn = 0;
  char buf[sizeof(struct element)];
  size_t len = 0;
  for (int i = 0; i < 32; ++i) {
    int rc = mproc_list_get_into(k->l, i % 2 == 0 ? -1 : 0, buf, sizeof buf, &len);
    if (rc == 0 && !element_valid(buf, len)) torn++;
    if (rc != 0 && rc != MPROC_ERANGE) torn++;
  }
  return torn;
}

static void sigkilled_writers_leave_it_whole(void **state) {
  (void)state;
  mproc_list_t *l = new_list(0, NULL);
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(struct list_books), NULL));
  struct list_books *books = test_shm_data(shm);
  struct kill_ctx ctx = {l, shm};
  mproc_process_t *writers[kKillWriters];
  for (int w = 0; w < kKillWriters; ++w) writers[w] = restart_writer(w, &ctx);
  assert_int_equal(test_kill_writers(writers, kKillWriters, kKills, restart_writer, read_some, &ctx), 0);
  assert_mproc_ok(mproc_list_check(l));
  mproc_items_t *items = NULL;
  assert_mproc_ok(mproc_list_items(l, &items));
  size_t n = 0;
  assert_mproc_ok(mproc_items_count(items, &n));
  for (size_t i = 0; i < n; ++i) {
    const void *v = NULL;
    size_t len = 0;
    assert_mproc_ok(mproc_items_value(items, i, &v, &len));
    assert_true(element_valid(v, len));
  }
  mproc_items_free(items);
  /* Every finished update is in, and an update cut short is in whole or
   * not at all: the length lies between what finished and what began. */
  uint64_t least = atomic_load(&books->appends_done) - atomic_load(&books->pops_begun);
  uint64_t most = atomic_load(&books->appends_begun) - atomic_load(&books->pops_done);
  if (n < least || n > most)
    fail_msg("length %llu is outside [%llu, %llu]", (unsigned long long)n, (unsigned long long)least,
             (unsigned long long)most);
  append_str(l, "still works");
  assert_mproc_ok(mproc_list_check(l));
  mproc_shm_free(shm);
  mproc_list_free(l);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  if (argc > 3 && strcmp(argv[1], "--step") == 0) return step_child(argv[2], argv[3]);
  const char *method = test_start_method_from_args(argc, argv);
  void *method_state = (void *)method;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_operation),
      cmocka_unit_test(many_elements_keep_their_order),
      cmocka_unit_test(a_full_list_says_so_and_stays_usable),
      cmocka_unit_test(bad_input),
      cmocka_unit_test(children_append_to_anonymous_and_named_lists),
      cmocka_unit_test(snapshots_and_reads_see_one_moment),
      cmocka_unit_test_prestate(a_child_killed_at_each_step_of_an_update, method_state),
      cmocka_unit_test(corrupt_shared_state_is_reported_not_fatal),
      cmocka_unit_test(sigkilled_writers_leave_it_whole),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
