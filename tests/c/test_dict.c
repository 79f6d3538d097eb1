/* Shared dicts: every operation and its bad input, a full dict, anonymous
 * dicts passed to children and named ones opened by them (argv[1] picks
 * the start method), lock-free readers beside writers in threads and
 * processes, consistent snapshots, a child killed at each step of every
 * kind of update (the fault hook), corrupt shared state, and four writers
 * SIGKILLed at random moments losing nothing they committed. */
#include "harness.h"

#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "container_support.h"
#include "named_shm.h"

/* ---- Helpers ------------------------------------------------------------ */

static mproc_dict_t *new_dict(size_t limit, const char *name) {
  mproc_container_opts_t *opts = test_container_opts(limit, name);
  mproc_dict_t *d = NULL;
  assert_mproc_ok(mproc_dict_new(&d, opts));
  mproc_container_opts_free(opts);
  return d;
}

static void set_str(mproc_dict_t *d, const char *k, const char *v) {
  assert_mproc_ok(mproc_dict_set(d, k, strlen(k), v, strlen(v)));
}

/* The value of k as a string ("<missing>" when absent). */
static const char *get_str(const mproc_dict_t *d, const char *k) {
  static char buf[4096];
  size_t len = 0;
  int rc = mproc_dict_get_into(d, k, strlen(k), buf, sizeof buf - 1, &len);
  if (rc == MPROC_ENOTFOUND) return "<missing>";
  assert_mproc_ok(rc);
  buf[len] = '\0';
  return buf;
}

TEST_CONTAINER_QUERIES(dict, mproc_dict_t, 1)

/* ---- Every operation ---------------------------------------------------- */

static void every_operation(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  const char *name = NULL;
  assert_mproc_ok(mproc_dict_name(d, &name));
  assert_string_equal(name, "");
  assert_int_equal(dict_len(d), 0);
  assert_string_equal(get_str(d, "a"), "<missing>");
  assert_string_equal(mproc_err_name(mproc_dict_delete(d, "a", 1)), "ENOTFOUND");
  assert_non_null(strstr(mproc_last_error(), "no such key"));

  set_str(d, "a", "1");
  set_str(d, "b", "2");
  set_str(d, "a", "one, now longer than before");
  assert_string_equal(get_str(d, "a"), "one, now longer than before");
  assert_int_equal(dict_len(d), 2);
  int found = -1;
  assert_mproc_ok(mproc_dict_contains(d, "b", 1, &found));
  assert_int_equal(found, 1);
  assert_mproc_ok(mproc_dict_contains(d, "c", 1, &found));
  assert_int_equal(found, 0);

  /* Empty keys and values are keys and values like any other. */
  assert_mproc_ok(mproc_dict_set(d, NULL, 0, NULL, 0));
  assert_mproc_ok(mproc_dict_contains(d, "", 0, &found));
  assert_int_equal(found, 1);
  size_t len = 99;
  assert_mproc_ok(mproc_dict_get_into(d, NULL, 0, NULL, 0, &len));
  assert_int_equal(len, 0);
  assert_mproc_ok(mproc_dict_delete(d, NULL, 0));

  /* get: a message; get_into: cap 0 asks for the size. */
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_dict_get(d, "b", 1, &m));
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_mproc_ok(mproc_msg_size(m, &size));
  assert_int_equal(size, 1);
  assert_memory_equal(data, "2", 1);
  mproc_msg_free(m);
  m = NULL;
  assert_mproc_code(mproc_dict_get(d, "zz", 2, &m), MPROC_ENOTFOUND);
  assert_null(m);
  assert_mproc_code(mproc_dict_get_into(d, "a", 1, NULL, 0, &len), MPROC_ETOOBIG);
  assert_int_equal(len, strlen("one, now longer than before"));
  char small[4];
  assert_mproc_code(mproc_dict_get_into(d, "a", 1, small, sizeof small, &len), MPROC_ETOOBIG);

  /* add only adds; replace only replaces the expected value. */
  assert_mproc_code(mproc_dict_add(d, "b", 1, "x", 1), MPROC_EEXIST);
  assert_string_equal(get_str(d, "b"), "2");
  assert_mproc_ok(mproc_dict_add(d, "c", 1, "3", 1));
  assert_mproc_code(mproc_dict_replace(d, "c", 1, "4", 1, "5", 1), MPROC_ESTATE);
  assert_string_equal(get_str(d, "c"), "3");
  assert_mproc_ok(mproc_dict_replace(d, "c", 1, "3", 1, "5", 1));
  assert_string_equal(get_str(d, "c"), "5");
  assert_mproc_code(mproc_dict_replace(d, "q", 1, "3", 1, "5", 1), MPROC_ENOTFOUND);

  /* pop hands the value over and deletes. */
  assert_mproc_ok(mproc_dict_pop(d, "c", 1, &m));
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_memory_equal(data, "5", 1);
  mproc_msg_free(m);
  assert_mproc_code(mproc_dict_pop(d, "c", 1, &m), MPROC_ENOTFOUND);
  assert_mproc_ok(mproc_dict_delete(d, "b", 1));
  assert_string_equal(dict_text(d), "a=one, now longer than before");

  /* Snapshots: items and keys. */
  set_str(d, "b", "2");
  assert_string_equal(dict_text(d), "a=one, now longer than before,b=2");
  mproc_items_t *keys = NULL;
  assert_mproc_ok(mproc_dict_keys(d, &keys));
  char text[256];
  test_items_text(keys, 1, text, sizeof text);
  assert_string_equal(text, "a=,b=");
  assert_mproc_code(mproc_items_key(keys, 2, &data, &len), MPROC_ERANGE);
  mproc_items_free(keys);

  size_t used = 0, limit = 0;
  assert_mproc_ok(mproc_dict_usage(d, &used, &limit));
  assert_int_equal(limit, MPROC_CONTAINER_DEFAULT_LIMIT);
  assert_true(used > 0 && used < 4096);
  assert_mproc_ok(mproc_dict_check(d));
  assert_mproc_ok(mproc_dict_clear(d));
  assert_int_equal(dict_len(d), 0);
  assert_string_equal(dict_text(d), "");
  assert_mproc_ok(mproc_dict_usage(d, &used, NULL));
  assert_int_equal(used, 0);
  assert_mproc_ok(mproc_dict_check(d));
  set_str(d, "after", "clear");
  assert_string_equal(dict_text(d), "after=clear");
  mproc_dict_free(d);
}

/* Enough keys to rebuild the table many times; deletes leave it
 * findable, and re-adding reuses what was freed. */
static void many_keys_stay_findable(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  enum { N = 20000 };
  char k[32], v[64];
  for (int i = 0; i < N; ++i) {
    snprintf(k, sizeof k, "key-%d", i);
    snprintf(v, sizeof v, "value-%d", i * 3);
    set_str(d, k, v);
  }
  assert_int_equal(dict_len(d), N);
  for (int i = 0; i < N; i += 2) {
    snprintf(k, sizeof k, "key-%d", i);
    assert_mproc_ok(mproc_dict_delete(d, k, strlen(k)));
  }
  size_t used_half = 0;
  assert_mproc_ok(mproc_dict_usage(d, &used_half, NULL));
  for (int i = 0; i < N; ++i) {
    snprintf(k, sizeof k, "key-%d", i);
    snprintf(v, sizeof v, "value-%d", i * 3);
    assert_string_equal(get_str(d, k), i % 2 == 0 ? "<missing>" : v);
  }
  assert_mproc_ok(mproc_dict_check(d));
  for (int i = 0; i < N; i += 2) {
    snprintf(k, sizeof k, "key-%d", i);
    set_str(d, k, "back");
  }
  assert_int_equal(dict_len(d), N);
  mproc_items_t *items = NULL;
  assert_mproc_ok(mproc_dict_items(d, &items));
  size_t n = 0;
  assert_mproc_ok(mproc_items_count(items, &n));
  assert_int_equal(n, N);
  mproc_items_free(items);
  assert_mproc_ok(mproc_dict_check(d));
  mproc_dict_free(d);
}

/* ---- Limits and bad input ---------------------------------------------- */

static void a_full_dict_says_so_and_stays_usable(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(4096, NULL);
  char k[32], v[100];
  memset(v, 'v', sizeof v);
  int rc = 0, i = 0;
  for (; i < 1000; ++i) {
    snprintf(k, sizeof k, "k%d", i);
    rc = mproc_dict_set(d, k, strlen(k), v, sizeof v);
    if (rc != 0) break;
  }
  assert_mproc_code(rc, MPROC_EFULL);
  assert_non_null(strstr(mproc_last_error(), "full"));
  assert_true(i > 10);
  assert_int_equal(dict_len(d), (size_t)i);
  assert_mproc_ok(mproc_dict_check(d));
  /* Nothing else changed: every key put is there. */
  snprintf(k, sizeof k, "k%d", i - 1);
  assert_mproc_ok(mproc_dict_contains(d, k, strlen(k), &rc));
  assert_int_equal(rc, 1);
  /* Room again after a delete; an entry over the limit itself is too big. */
  assert_mproc_ok(mproc_dict_delete(d, "k0", 2));
  assert_mproc_ok(mproc_dict_set(d, "k0", 2, v, sizeof v));
  static char huge[8192];
  assert_mproc_code(mproc_dict_set(d, "h", 1, huge, sizeof huge), MPROC_ETOOBIG);
  assert_non_null(strstr(mproc_last_error(), "limit"));
  /* A full dict can be cleared (a clear needs no room). */
  assert_mproc_ok(mproc_dict_clear(d));
  assert_mproc_ok(mproc_dict_set(d, "again", 5, v, sizeof v));
  assert_mproc_ok(mproc_dict_check(d));
  mproc_dict_free(d);
}

static void bad_input(void **state) {
  (void)state;
  mproc_dict_t *d = NULL;
  size_t n = 0;
  int found = 0;
  assert_mproc_code(mproc_dict_new(NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_set(NULL, "k", 1, "v", 1), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_len(NULL, &n), MPROC_EINVAL);
  mproc_container_opts_t *opts = NULL;
  assert_mproc_ok(mproc_container_opts_new(&opts));
  assert_mproc_code(mproc_container_opts_set_limit(opts, 100), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "limit"));
  assert_mproc_code(mproc_container_opts_set_limit(opts, SIZE_MAX), MPROC_EINVAL);
  assert_mproc_code(mproc_container_opts_set_name(opts, "bad/name"), MPROC_EINVAL);
  assert_mproc_code(mproc_container_opts_set_name(opts, NULL), MPROC_EINVAL);
  mproc_container_opts_free(opts);
  d = new_dict(0, NULL);
  assert_mproc_code(mproc_dict_set(d, NULL, 1, "v", 1), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_set(d, "k", 1, NULL, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_get(d, "k", 1, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_get_into(d, "k", 1, NULL, 5, &n), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_get_into(d, "k", 1, NULL, 0, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_contains(d, "k", 1, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_replace(d, "k", 1, NULL, 1, "v", 1), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_items(d, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_name(d, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_items_count(NULL, &n), MPROC_EINVAL);
  assert_mproc_code(mproc_dict_open(&d, NULL), MPROC_EINVAL);
  mproc_dict_t *none = NULL;
  assert_mproc_code(mproc_dict_open(&none, "mproc-test-no-such-dict"), MPROC_ENOENT);
  /* A freed handle is refused, not used. */
  mproc_dict_t *freed = new_dict(0, NULL);
  mproc_dict_free(freed);
  assert_mproc_code(mproc_dict_contains(freed, "k", 1, &found), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "freed"));
  /* A list is not a dict. */
  mproc_list_t *l = NULL;
  assert_mproc_ok(mproc_list_new(&l, NULL));
  assert_mproc_code(mproc_dict_len((const mproc_dict_t *)(const void *)l, &n), MPROC_EINVAL);
  mproc_list_free(l);
  mproc_dict_free(d);
  mproc_dict_free(NULL);
  mproc_container_opts_free(NULL);
  mproc_items_free(NULL);
}

/* ---- Across processes ---------------------------------------------------- */

/* Reads "question", answers in "answer" and counts in "count" (add). */
MPROC_TASK(dict_child) {
  mproc_dict_t *d = NULL;
  if (mproc_args_get_dict(args, 0, &d) != 0) return 100;
  char buf[64];
  size_t len = 0;
  if (mproc_dict_get_into(d, "question", 8, buf, sizeof buf, &len) != 0) return 101;
  if (len != 4 || memcmp(buf, "ping", 4) != 0) return 102;
  if (mproc_dict_set(d, "answer", 6, "pong", 4) != 0) return 103;
  mproc_dict_free(d);
  return 0;
}

static void a_child_uses_the_parents_dict(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  set_str(d, "question", "ping");
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_dict(a, d));
  mproc_dict_t *back = NULL;
  assert_mproc_ok(mproc_args_get_dict(a, 0, &back));
  mproc_dict_free(back);
  mproc_list_t *wrong = NULL;
  assert_mproc_code(mproc_args_get_list(a, 0, &wrong), MPROC_ETYPE);
  assert_int_equal(test_run_task("dict_child", a), 0);
  assert_string_equal(get_str(d, "answer"), "pong");
  mproc_dict_free(d);
}

/* Opens the dict named by arg 0 and adds one to the counter in "n". */
MPROC_TASK(dict_by_name) {
  const char *name = NULL;
  mproc_dict_t *d = NULL;
  if (mproc_args_get_str(args, 0, &name) != 0 || mproc_dict_open(&d, name) != 0) return 100;
  for (;;) {
    char old[32], neu[32];
    size_t len = 0;
    if (mproc_dict_get_into(d, "n", 1, old, sizeof old - 1, &len) != 0) return 101;
    old[len] = '\0';
    int nl = snprintf(neu, sizeof neu, "%d", atoi(old) + 1);
    int rc = mproc_dict_replace(d, "n", 1, old, len, neu, (size_t)nl);
    if (rc == 0) break;
    if (rc != MPROC_ESTATE) return 102;
  }
  mproc_dict_free(d);
  return 0;
}

static void a_named_dict_opens_in_other_processes(void **state) {
  (void)state;
  char name[96];
  test_container_name(name, sizeof name, "dict");
  mproc_dict_t *d = new_dict(0, name);
  const char *got = NULL;
  assert_mproc_ok(mproc_dict_name(d, &got));
  assert_string_equal(got, name);
  set_str(d, "n", "0");
  enum { kChildren = 4 };
  mproc_process_t *p[kChildren];
  for (int i = 0; i < kChildren; ++i) {
    mproc_args_t *a = NULL;
    assert_mproc_ok(mproc_args_new(&a));
    assert_mproc_ok(mproc_args_add_str(a, name));
    assert_mproc_ok(mproc_process_new(&p[i], "dict_by_name", a, NULL));
    assert_mproc_ok(mproc_process_start(p[i]));
  }
  for (int i = 0; i < kChildren; ++i) assert_int_equal(test_join_code(p[i]), 0);
  /* Compare-and-set counted every child once. */
  assert_string_equal(get_str(d, "n"), "4");
  /* The name is a dict's: a list may not open it; a second dict of the
   * same name may not be made. */
  mproc_list_t *l = NULL;
  assert_mproc_code(mproc_list_open(&l, name), MPROC_ETYPE);
  mproc_container_opts_t *opts = NULL;
  assert_mproc_ok(mproc_container_opts_new(&opts));
  assert_mproc_ok(mproc_container_opts_set_name(opts, name));
  mproc_dict_t *twin = NULL;
  assert_mproc_code(mproc_dict_new(&twin, opts), MPROC_EEXIST);
  mproc_container_opts_free(opts);
  assert_mproc_ok(mproc_unlink(name));
  mproc_dict_free(d);
}

/* ---- Readers beside writers ------------------------------------------------ */

/* A value that says which key and which version it is, and checks itself:
 * a torn copy does not check out. */
struct stamped {
  uint32_t writer;
  uint32_t key;
  uint64_t seq;
  uint32_t check;
  unsigned char pad[44];
};

static uint32_t stamp_check(const struct stamped *s) {
  uint32_t h = 2166136261u ^ s->writer ^ (s->key << 8) ^ (uint32_t)s->seq;
  for (size_t i = 0; i < sizeof s->pad; ++i) h = (h ^ s->pad[i]) * 16777619u;
  return h;
}

static void stamp(struct stamped *s, uint32_t writer, uint32_t key, uint64_t seq) {
  s->writer = writer;
  s->key = key;
  s->seq = seq;
  for (size_t i = 0; i < sizeof s->pad; ++i) s->pad[i] = (unsigned char)(seq * 7 + i);
  s->check = stamp_check(s);
}

static int stamp_valid(const struct stamped *s, size_t len) {
  return len == sizeof *s && s->check == stamp_check(s);
}

static size_t key_of(char *k, uint32_t writer, uint32_t key) {
  return (size_t)snprintf(k, 32, "w%u-key%02u", writer, key);
}

enum { kStampKeys = 16 };

/* Sets its keys over and over (arg 1: writer number, arg 2: rounds). */
MPROC_TASK(stamping_writer) {
  mproc_dict_t *d = NULL;
  int64_t writer = 0, rounds = 0;
  if (mproc_args_get_dict(args, 0, &d) != 0 || mproc_args_get_i64(args, 1, &writer) != 0 ||
      mproc_args_get_i64(args, 2, &rounds) != 0)
    return 100;
  struct stamped s;
  char k[32];
  for (int64_t seq = 1; seq <= rounds; ++seq) {
    uint32_t key = (uint32_t)(seq % kStampKeys);
    stamp(&s, (uint32_t)writer, key, (uint64_t)seq);
    int rc = seq % 5 == 0 ? mproc_dict_delete(d, k, key_of(k, (uint32_t)writer, key))
                          : mproc_dict_set(d, k, key_of(k, (uint32_t)writer, key), &s, sizeof s);
    if (rc != 0 && rc != MPROC_ENOTFOUND) return 101;
  }
  mproc_dict_free(d);
  return 0;
}

struct reader_args {
  mproc_dict_t *d;
  atomic_int *stop;
  long reads;
  long torn;
};

/* Reads until told to stop, and at least kMinReads times: on a loaded
 * machine the writers may be done before this thread is first scheduled,
 * and a reader that never read would prove nothing. */
enum { kMinReads = 1000 };
static void *stamp_reader(void *p) {
  struct reader_args *r = p;
  char k[32];
  struct stamped s;
  uint32_t rng = 99;
  while (!atomic_load(r->stop) || r->reads < kMinReads) {
    rng = rng * 1103515245u + 12345u;
    size_t len = 0;
    uint32_t writer = (rng >> 8) % 2, key = (rng >> 16) % kStampKeys;
    int rc = mproc_dict_get_into(r->d, k, key_of(k, writer, key), &s, sizeof s, &len);
    if (rc == 0 && (!stamp_valid(&s, len) || s.writer != writer || s.key != key)) r->torn++;
    if (rc != 0 && rc != MPROC_ENOTFOUND) r->torn++;
    r->reads++;
  }
  return NULL;
}

static void readers_never_see_a_torn_value(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  mproc_process_t *w[2];
  for (int i = 0; i < 2; ++i) {
    mproc_args_t *a = NULL;
    assert_mproc_ok(mproc_args_new(&a));
    assert_mproc_ok(mproc_args_add_dict(a, d));
    assert_mproc_ok(mproc_args_add_i64(a, i));
    assert_mproc_ok(mproc_args_add_i64(a, 100000));
    assert_mproc_ok(mproc_process_new(&w[i], "stamping_writer", a, NULL));
    assert_mproc_ok(mproc_process_start(w[i]));
  }
  atomic_int stop = 0;
  struct reader_args r[2] = {{d, &stop, 0, 0}, {d, &stop, 0, 0}};
  pthread_t t[2];
  for (int i = 0; i < 2; ++i) assert_int_equal(pthread_create(&t[i], NULL, stamp_reader, &r[i]), 0);
  /* Snapshots meanwhile: every value in them checks out. */
  long snapshots = 0;
  for (int i = 0; i < 2; ++i) {
    /* At least one snapshot each, however late this thread runs. */
    for (int alive = 1; alive;) {
      assert_mproc_ok(mproc_process_is_alive(w[i], &alive));
      mproc_items_t *items = NULL;
      assert_mproc_ok(mproc_dict_items(d, &items));
      size_t n = 0;
      assert_mproc_ok(mproc_items_count(items, &n));
      assert_true(n <= 2 * kStampKeys);
      for (size_t j = 0; j < n; ++j) {
        const void *v = NULL;
        size_t len = 0;
        assert_mproc_ok(mproc_items_value(items, j, &v, &len));
        struct stamped s;
        assert_int_equal(len, sizeof s);
        memcpy(&s, v, sizeof s);
        assert_true(stamp_valid(&s, len));
      }
      mproc_items_free(items);
      snapshots++;
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; ++i) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(test_join_code(w[i]), 0);
    assert_int_equal(r[i].torn, 0);
  }
  assert_mproc_ok(mproc_dict_check(d));
  mproc_dict_free(d);
}

/* Inserts x<n> and then deletes x<n-1>, again and again: at any one
 * moment the dict holds x<n> alone or x<n-1> and x<n>. A snapshot that
 * mixed moments could show neither, or two that are not neighbours. */
MPROC_TASK(walking_writer) {
  mproc_dict_t *d = NULL;
  int64_t rounds = 0;
  if (mproc_args_get_dict(args, 0, &d) != 0 || mproc_args_get_i64(args, 1, &rounds) != 0)
    return 100;
  char k[32];
  for (int64_t n = 1; n <= rounds; ++n) {
    int kl = snprintf(k, sizeof k, "x%lld", (long long)n);
    if (mproc_dict_set(d, k, (size_t)kl, "v", 1) != 0) return 101;
    kl = snprintf(k, sizeof k, "x%lld", (long long)(n - 1));
    if (mproc_dict_delete(d, k, (size_t)kl) != 0) return 102;
  }
  mproc_dict_free(d);
  return 0;
}

static void snapshots_are_taken_at_one_moment(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  set_str(d, "x0", "v");
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_dict(a, d));
  assert_mproc_ok(mproc_args_add_i64(a, 50000));
  mproc_process_t *w = NULL;
  assert_mproc_ok(mproc_process_new(&w, "walking_writer", a, NULL));
  assert_mproc_ok(mproc_process_start(w));
  /* At least one look, however late this thread runs (the writer may be
   * done before it is first scheduled on a loaded machine). */
  for (int alive = 1; alive;) {
    assert_mproc_ok(mproc_process_is_alive(w, &alive));
    mproc_items_t *items = NULL;
    assert_mproc_ok(mproc_dict_keys(d, &items));
    size_t n = 0;
    assert_mproc_ok(mproc_items_count(items, &n));
    long seen[2] = {-1, -1};
    if (n < 1 || n > 2) fail_msg("a snapshot held %llu keys", (unsigned long long)n);
    for (size_t i = 0; i < n; ++i) {
      const void *k = NULL;
      size_t kl = 0;
      assert_mproc_ok(mproc_items_key(items, i, &k, &kl));
      char text[32];
      snprintf(text, sizeof text, "%.*s", (int)kl, (const char *)k);
      seen[i] = atol(text + 1);
    }
    if (n == 2 && labs(seen[0] - seen[1]) != 1)
      fail_msg("a snapshot held x%ld and x%ld", seen[0], seen[1]);
    mproc_items_free(items);
    size_t len = dict_len(d);
    assert_true(len == 1 || len == 2);
  }
  assert_int_equal(test_join_code(w), 0);
  assert_mproc_ok(mproc_dict_check(d));
  mproc_dict_free(d);
}

/* ---- A child killed at each step of an update ------------------------------ */

/* Each kind of update: the dict before it, the update (done by the step
 * child), and the dict after it. */
struct step_case {
  const char *op;
  void (*prepare)(mproc_dict_t *d);
  const char *key;      /* the key the update touches */
  const char *before;   /* its value before ("<missing>": absent) */
  const char *after;    /* and after */
  int copies, sweeps;   /* see test_step_reached */
};

static char long_value[201];

static void prepare_small(mproc_dict_t *d) {
  set_str(d, "a", "1");
  set_str(d, "b", "2");
}

/* Nine keys: the tenth rebuilds the table (the first table has 19 slots,
 * a class of 192 bytes, and is rebuilt when an insert would fill half). */
static void prepare_nine(mproc_dict_t *d) {
  char k[8];
  for (int i = 0; i < 9; ++i) {
    snprintf(k, sizeof k, "k%d", i);
    set_str(d, k, "x");
  }
}

/* Enough to take several steps to free after a clear. */
static void prepare_many(mproc_dict_t *d) {
  char k[16];
  for (int i = 0; i < 150; ++i) {
    snprintf(k, sizeof k, "m%d", i);
    set_str(d, k, "y");
  }
}

static const struct step_case step_cases[] = {
    {"set-new", prepare_small, "c", "<missing>", "3", 1, 0},
    {"set-old", prepare_small, "a", "1", long_value, 1, 0},
    {"grow", prepare_nine, "k9", "<missing>", "x", 1, 0},
    {"delete", prepare_small, "a", "1", "<missing>", 0, 0},
    {"replace", prepare_small, "b", "2", "22", 1, 0},
    {"clear", prepare_many, "m7", "y", "<missing>", 0, 1},
};

static int step_child(const char *op, const char *name) {
  mproc_dict_t *d = NULL;
  if (mproc_dict_open(&d, name) != 0) return 100;
  int rc = -1;
  if (strcmp(op, "set-new") == 0) rc = mproc_dict_set(d, "c", 1, "3", 1);
  if (strcmp(op, "set-old") == 0) rc = mproc_dict_set(d, "a", 1, long_value, strlen(long_value));
  if (strcmp(op, "grow") == 0) rc = mproc_dict_set(d, "k9", 2, "x", 1);
  if (strcmp(op, "delete") == 0) rc = mproc_dict_delete(d, "a", 1);
  if (strcmp(op, "replace") == 0) rc = mproc_dict_replace(d, "b", 1, "2", 1, "22", 2);
  if (strcmp(op, "clear") == 0) rc = mproc_dict_clear(d);
  mproc_dict_free(d);
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
      test_container_name(name, sizeof name, "dict-step");
      mproc_dict_t *d = new_dict(0, name);
      sc->prepare(d);
      char before[16384];
      snprintf(before, sizeof before, "%s", dict_text(d));
      size_t len_before = dict_len(d);
      int code = test_run_step_child(sc->op, name, step);
      assert_int_equal(code, test_step_reached(step, sc->copies, sc->sweeps) ? STEP_DEATH_EXIT : 0);
      int happened = code == 0 || step >= STEP_COMMITTED;
      /* Readers first, lock-free, before anyone takes the dead writer's
       * lock over: they see the dict whole, as it was before the update
       * or (from the commit on, once applied) after it. */
      const char *now = get_str(d, sc->key);
      if (strcmp(now, sc->before) != 0 && (!happened || strcmp(now, sc->after) != 0))
        fail_msg("%s, step %d: %s is '%.40s'", sc->op, step, sc->key, now);
      char text[16384];
      snprintf(text, sizeof text, "%s", dict_text(d));
      if (!happened) {
        assert_string_equal(text, before);
        assert_int_equal(dict_len(d), len_before);
      }
      /* The check takes the lock: a committed update the dead writer left
       * half done is finished first, and from then on everyone sees it.
       * A snapshot taken before saw the dict before it, or after it. */
      assert_mproc_ok(mproc_dict_check(d));
      assert_string_equal(get_str(d, sc->key), happened ? sc->after : sc->before);
      if (strcmp(text, before) != 0) assert_string_equal(dict_text(d), text);
      if (!happened) assert_string_equal(dict_text(d), before);
      /* And everyone goes on. */
      set_str(d, "next", "ok");
      assert_string_equal(get_str(d, "next"), "ok");
      assert_mproc_ok(mproc_dict_check(d));
      if (strcmp(sc->op, "clear") == 0 && happened) assert_int_equal(dict_len(d), 1);
      assert_mproc_ok(mproc_unlink(name));
      mproc_dict_free(d);
    }
  }
}

/* ---- Corrupt shared state ------------------------------------------------------ */


/* Every call either works or says ECORRUPT: no crash, no hang. */
static void exercise(mproc_dict_t *d) {
  char k[16], buf[256];
  size_t len = 0;
  int found = 0;
  for (int i = 0; i < 40; ++i) {
    size_t kl = (size_t)snprintf(k, sizeof k, "k%d", i);
    int rc = mproc_dict_get_into(d, k, kl, buf, sizeof buf, &len);
    assert_true(rc == 0 || rc == MPROC_ENOTFOUND || rc == MPROC_ECORRUPT || rc == MPROC_ETOOBIG);
    rc = mproc_dict_contains(d, k, kl, &found);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT);
    rc = mproc_dict_set(d, k, kl, "value", 5);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_EFULL || rc == MPROC_ETOOBIG);
    rc = mproc_dict_delete(d, k, kl);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT || rc == MPROC_ENOTFOUND);
  }
  mproc_items_t *items = NULL;
  int rc = mproc_dict_items(d, &items);
  assert_true(rc == 0 || rc == MPROC_ECORRUPT);
  mproc_items_free(items);
  rc = mproc_dict_clear(d);
  assert_true(rc == 0 || rc == MPROC_ECORRUPT);
}

static void corrupt_shared_state_is_reported_not_fatal(void **state) {
  (void)state;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    char name[96];
    test_container_name(name, sizeof name, "dict-corrupt");
    mproc_dict_t *d = new_dict(16384, name);
    char k[16];
    for (int i = 0; i < 40; ++i) {
      size_t kl = (size_t)snprintf(k, sizeof k, "k%d", i);
      assert_mproc_ok(mproc_dict_set(d, k, kl, "some value", 10));
    }
    test_scribble_heap(name, seed);
    exercise(d);
    int rc = mproc_dict_check(d);
    assert_true(rc == 0 || rc == MPROC_ECORRUPT);
    assert_mproc_ok(mproc_unlink(name));
    mproc_dict_free(d);
  }
  char name[96];
  test_container_name(name, sizeof name, "dict-corrupt");
  mproc_dict_t *d = new_dict(16384, name);
  set_str(d, "a", "1");
  test_blast_state(name);
  char buf[8];
  size_t len = 0;
  assert_mproc_code(mproc_dict_get_into(d, "a", 1, buf, sizeof buf, &len), MPROC_ECORRUPT);
  assert_non_null(strstr(mproc_last_error(), "corrupt"));
  assert_mproc_code(mproc_dict_set(d, "b", 1, "2", 1), MPROC_ECORRUPT);
  assert_mproc_code(mproc_dict_check(d), MPROC_ECORRUPT);
  exercise(d);
  /* A fresh open checks the layout. */
  mproc_dict_t *again = NULL;
  assert_mproc_code(mproc_dict_open(&again, name), MPROC_ECORRUPT);
  assert_mproc_ok(mproc_unlink(name));
  mproc_dict_free(d);
}

/* ---- Writers SIGKILLed at random moments ---------------------------------------- */

enum { kKillWriters = 4, kKillKeys = 16, kKills = 60 };

/* What the writers did: the op each last began (attempt) and last saw
 * finish (done) on each of its keys, by sequence number; every fourth op
 * of a writer is a delete. */
struct kill_books {
  _Atomic uint64_t next_seq[kKillWriters];
  _Atomic uint64_t attempt[kKillWriters][kKillKeys];
  _Atomic uint64_t done[kKillWriters][kKillKeys];
};

static int is_delete(uint64_t seq) { return seq % 4 == 0; }

MPROC_TASK(killable_writer) {
  mproc_dict_t *d = NULL;
  mproc_shm_t *shm = NULL;
  int64_t w = 0;
  if (mproc_args_get_dict(args, 0, &d) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &w) != 0)
    return 100;
  struct kill_books *books = test_shm_data(shm);
  char k[32];
  struct stamped s;
  for (;;) {
    uint64_t seq = atomic_load(&books->next_seq[w]);
    atomic_store(&books->next_seq[w], seq + 1);
    uint32_t key = (uint32_t)((seq * 7) % kKillKeys);
    atomic_store(&books->attempt[w][key], seq);
    size_t kl = key_of(k, (uint32_t)w, key);
    int rc;
    if (is_delete(seq)) {
      rc = mproc_dict_delete(d, k, kl);
      if (rc == MPROC_ENOTFOUND) rc = 0;
    } else {
      stamp(&s, (uint32_t)w, key, seq);
      rc = mproc_dict_set(d, k, kl, &s, sizeof s);
    }
    if (rc != 0) return 101;
    atomic_store(&books->done[w][key], seq);
  }
}

static void add_dict(mproc_args_t *a, void *d) { assert_mproc_ok(mproc_args_add_dict(a, d)); }

struct kill_ctx {
  mproc_dict_t *d;
  mproc_shm_t *shm;
  uint32_t rng;
};

static mproc_process_t *restart_writer(int w, void *ctx) {
  struct kill_ctx *k = ctx;
  return test_start_writer("killable_writer", add_dict, k->d, k->shm, w);
}

/* Lock-free reads of random keys, even while a dead writer's lock is not
 * yet taken over: how many values did not check out. */
static long read_some(void *ctx) {
  struct kill_ctx *k = ctx;
  long torn = 0;
  for (int i = 0; i < 64; ++i) {
    k->rng = k->rng * 1103515245u + 12345u;
    uint32_t w = (k->rng >> 8) % kKillWriters, key = (k->rng >> 16) % kKillKeys;
    char name[32];
    struct stamped s;
    size_t len = 0;
    int rc = mproc_dict_get_into(k->d, name, key_of(name, w, key), &s, sizeof s, &len);
    if (rc == 0 && (!stamp_valid(&s, len) || s.writer != w || s.key != key)) torn++;
    if (rc != 0 && rc != MPROC_ENOTFOUND) torn++;
  }
  return torn;
}

/* Whether key (w, key) holds what op `seq` left: absent after a delete (or
 * before any op), that op's value after a set. */
static int holds(const mproc_dict_t *d, uint32_t w, uint32_t key, uint64_t seq) {
  char k[32];
  struct stamped s;
  size_t len = 0;
  int rc = mproc_dict_get_into(d, k, key_of(k, w, key), &s, sizeof s, &len);
  if (seq == 0 || is_delete(seq)) return rc == MPROC_ENOTFOUND;
  return rc == 0 && stamp_valid(&s, len) && s.seq == seq && s.writer == w && s.key == key;
}

static void sigkilled_writers_lose_nothing_they_committed(void **state) {
  (void)state;
  mproc_dict_t *d = new_dict(0, NULL);
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(struct kill_books), NULL));
  struct kill_books *books = test_shm_data(shm);
  for (int w = 0; w < kKillWriters; ++w) atomic_store(&books->next_seq[w], 1);
  struct kill_ctx ctx = {d, shm, 99};
  mproc_process_t *writers[kKillWriters];
  for (int w = 0; w < kKillWriters; ++w) writers[w] = restart_writer(w, &ctx);
  assert_int_equal(test_kill_writers(writers, kKillWriters, kKills, restart_writer, read_some, &ctx), 0);
  /* Every key holds what its last finished op left, or what the op begun
   * after it left (a writer killed after its commit, before its note). */
  assert_mproc_ok(mproc_dict_check(d));
  long ops = 0;
  for (uint32_t w = 0; w < kKillWriters; ++w) {
    ops += (long)atomic_load(&books->next_seq[w]);
    for (uint32_t key = 0; key < kKillKeys; ++key) {
      uint64_t done = atomic_load(&books->done[w][key]);
      uint64_t attempt = atomic_load(&books->attempt[w][key]);
      if (!holds(d, w, key, done) && !holds(d, w, key, attempt))
        fail_msg("writer %u key %u: holds neither op %llu nor op %llu", w, key,
                 (unsigned long long)done, (unsigned long long)attempt);
    }
  }
  assert_true(ops > kKills);
  set_str(d, "still", "works");
  assert_mproc_ok(mproc_dict_check(d));
  mproc_shm_free(shm);
  mproc_dict_free(d);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  memset(long_value, 'L', sizeof long_value - 1);
  for (size_t i = 0; i < sizeof long_value - 1; i += 7) long_value[i] = (char)('a' + i % 26);
  if (argc > 3 && strcmp(argv[1], "--step") == 0) return step_child(argv[2], argv[3]);
  const char *method = test_start_method_from_args(argc, argv);
  void *method_state = (void *)method;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_operation),
      cmocka_unit_test(many_keys_stay_findable),
      cmocka_unit_test(a_full_dict_says_so_and_stays_usable),
      cmocka_unit_test(bad_input),
      cmocka_unit_test(a_child_uses_the_parents_dict),
      cmocka_unit_test(a_named_dict_opens_in_other_processes),
      cmocka_unit_test(readers_never_see_a_torn_value),
      cmocka_unit_test(snapshots_are_taken_at_one_moment),
      cmocka_unit_test_prestate(a_child_killed_at_each_step_of_an_update, method_state),
      cmocka_unit_test(corrupt_shared_state_is_reported_not_fatal),
      cmocka_unit_test(sigkilled_writers_lose_nothing_they_committed),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
