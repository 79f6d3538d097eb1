/* The MPI pool (mproc/pool_mpi.h): the pool calls of mproc/pool.h on MPI
 * ranks, checked against a local pool doing the same work in the same
 * process, then what happens when a rank dies.
 *
 * Run alone (the pool spawns its ranks) or under `mpirun -n N` (ranks
 * 1..N-1 serve from their own mproc_pool_new and never come back to run
 * these tests). argv[1]: how many ranks to ask for (0: all of the job's).
 * The rank-killing tests come last: under mpirun a dead rank is gone for
 * the pools after it too. tests/mpi/meson.build runs this program alone,
 * and under mpirun with 2 and 4 ranks. */
#include "../c/harness.h"

#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

static size_t g_processes;  /* what each MPI pool asks for */
static int g_world;         /* under `mpirun -n N`, N > 1 */
/* Spawned ranks the tests killed. A later pool takes the ranks left and
 * spawns the others; the tests ask for no more than are left but once,
 * since MPI_Comm_spawn in Open MPI 4.1 with PMIx 4 now and then hangs for
 * good (include/mproc/pool_mpi.h). */
static size_t g_killed;

/* ---- Pool tasks --------------------------------------------------------- */

static int64_t read_i64(const void *in, size_t len) {
  int64_t v = 0;
  if (len == sizeof v) memcpy(&v, in, sizeof v);
  return v;
}

/* Squares; fails a negative input with a message. */
MPROC_POOL_TASK(square_or_refuse) {
  int64_t v = read_i64(in, len);
  if (len != sizeof v) return mproc_result_error(out, MPROC_EINVAL, "want 8 bytes");
  if (v < 0) {
    char why[64];
    snprintf(why, sizeof why, "negative input %lld", (long long)v);
    return mproc_result_error(out, MPROC_ERANGE, why);
  }
  v *= v;
  return mproc_result_set(out, &v, sizeof v);
}

/* Repeats its input twice (variable sizes, for imap); refuses "bad". */
MPROC_POOL_TASK(twice) {
  if (len == 3 && memcmp(in, "bad", 3) == 0)
    return mproc_result_error(out, MPROC_EINVAL, "bad input");
  char *p = NULL;
  int rc = mproc_result_alloc(out, 2 * len, (void **)&p);
  if (rc != 0) return rc;
  if (len > 0) {
    memcpy(p, in, len);
    memcpy(p + len, in, len);
  }
  return 0;
}

MPROC_POOL_TASK(worker_pid) {
  (void)in;
  (void)len;
  int64_t pid = mproc_getpid();
  return mproc_result_set(out, &pid, sizeof pid);
}

/* Sleeps the given milliseconds (a task that takes a while). */
MPROC_POOL_TASK(nap_ms) {
  test_sleep_ms((int)read_i64(in, len));
  return mproc_result_set(out, in, len);
}

/* Kills its own rank. */
MPROC_POOL_TASK(die) {
  (void)in;
  (void)len;
  test_kill_self();
  return mproc_result_error(out, MPROC_EINTERNAL, "still alive");
}

/* Puts its pid into the named queue its input names, then waits (up to a
 * minute) on a second queue nobody fills: the test kills it meanwhile. */
MPROC_POOL_TASK(report_then_hold) {
  char name[128];
  if (len == 0 || len >= sizeof name - 6) return mproc_result_error(out, MPROC_EINVAL, "name");
  memcpy(name, in, len);
  name[len] = '\0';
  mproc_queue_t *q = NULL;
  int rc = mproc_queue_open(&q, name);
  int64_t pid = mproc_getpid();
  if (rc == 0) rc = mproc_queue_put(q, &pid, sizeof pid, 10000);
  mproc_queue_free(q);
  strcat(name, "-hold");
  if (rc == 0) rc = mproc_queue_open(&q, name);
  mproc_msg_t *m = NULL;
  if (rc == 0) rc = mproc_queue_get(q, &m, 60000);
  mproc_msg_free(m);
  mproc_queue_free(q);
  return mproc_result_error(out, rc == 0 ? MPROC_EINTERNAL : rc, "was not killed");
}

/* Input "<ms> <queue name>": puts its pid into the named queue, then
 * sleeps that long (a task known to be running). */
MPROC_POOL_TASK(report_then_nap) {
  char text[160];
  if (len == 0 || len >= sizeof text) return mproc_result_error(out, MPROC_EINVAL, "input");
  memcpy(text, in, len);
  text[len] = '\0';
  long long ms = 0;
  char name[128];
  if (sscanf(text, "%lld %127s", &ms, name) != 2)
    return mproc_result_error(out, MPROC_EINVAL, "input");
  mproc_queue_t *q = NULL;
  int64_t pid = mproc_getpid();
  int rc = mproc_queue_open(&q, name);
  if (rc == 0) rc = mproc_queue_put(q, &pid, sizeof pid, 10000);
  mproc_queue_free(q);
  if (rc != 0) return mproc_result_error(out, rc, "could not report");
  test_sleep_ms((int)ms);
  return mproc_result_set(out, &pid, sizeof pid);
}

/* What the initializer left in this rank. */
static int64_t initialized_with = -1;
MPROC_TASK(remember) { return mproc_args_get_i64(args, 0, &initialized_with) == 0 ? 0 : 1; }
MPROC_TASK(refuse_to_start) {
  (void)args;
  return 7;
}
MPROC_POOL_TASK(initialized_value) {
  (void)in;
  (void)len;
  return mproc_result_set(out, &initialized_with, sizeof initialized_with);
}

/* Registered by the owner only, after its pools started (see
 * a_task_the_ranks_lack_fails_with_enotfound). */
static int owner_only(const void *in, size_t len, mproc_result_t *out) {
  return mproc_result_set(out, in, len);
}

/* Registered nowhere. */
static int not_registered(const void *in, size_t len, mproc_result_t *out) {
  return mproc_result_set(out, in, len);
}

/* ---- Helpers ------------------------------------------------------------ */

static mproc_pool_t *new_pool(mproc_pool_backend_t backend, size_t n, const char *init,
                              const mproc_args_t *init_args) {
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_backend(opts, backend));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, n));
  if (init != NULL) assert_mproc_ok(mproc_pool_opts_set_initializer(opts, init, init_args));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  return pool;
}

static mproc_pool_t *mpi_pool(void) {
  return new_pool(MPROC_POOL_BACKEND_MPI, g_processes, NULL, NULL);
}

/* An MPI pool of the spawned ranks still alive (under mpirun: all). */
static mproc_pool_t *mpi_pool_of_the_living(void) {
  size_t n = g_world || g_processes == 0 ? 0 : g_processes - g_killed;
  return new_pool(MPROC_POOL_BACKEND_MPI, n, NULL, NULL);
}

static mproc_pool_t *local_pool(void) { return new_pool(MPROC_POOL_BACKEND_LOCAL, 2, NULL, NULL); }

static void finish(mproc_pool_t *pool) {
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

static size_t workers_of(const mproc_pool_t *pool) {
  size_t n = 0;
  assert_mproc_ok(mproc_pool_processes(pool, &n));
  return n;
}

/* One apply's outcome: its code, its message (or output), in a buffer. */
struct outcome {
  int code;
  char text[160];
  size_t len;
};

static struct outcome apply(mproc_pool_t *pool, const char *task, const void *in, size_t len) {
  struct outcome o;
  memset(&o, 0, sizeof o);
  mproc_msg_t *m = NULL;
  o.code = mproc_pool_apply(pool, task, in, len, NULL, &m, 60000);
  if (o.code == 0) {
    o.len = test_msg_size(m) < sizeof o.text ? test_msg_size(m) : sizeof o.text;
    memcpy(o.text, test_msg_data(m), o.len);
    mproc_msg_free(m);
  } else {
    snprintf(o.text, sizeof o.text, "%s", mproc_last_error());
    o.len = strlen(o.text);
  }
  return o;
}

/* ---- The shared MPI pool's tests -------------------------------------- */

static int make_shared_pool(void **state) {
  *state = mpi_pool();
  return 0;
}

static int free_shared_pool(void **state) {
  finish(*state);
  return 0;
}

static void the_pool_says_it_runs_on_mpi(void **state) {
  mproc_pool_t *pool = *state;
  mproc_pool_backend_t backend = MPROC_POOL_BACKEND_DEFAULT;
  assert_mproc_ok(mproc_pool_get_backend(pool, &backend));
  assert_int_equal(backend, MPROC_POOL_BACKEND_MPI);
  size_t n = workers_of(pool);
  if (g_processes > 0) assert_int_equal(n, g_processes);
  int64_t pids[64];
  size_t count = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, pids, 64, &count));
  assert_int_equal(count, n);
  for (size_t i = 0; i < count; ++i) {
    assert_true(pids[i] > 0 && pids[i] != mproc_getpid());
    assert_int_equal(kill((pid_t)pids[i], 0), 0); /* this machine's ranks */
  }
}

static void apply_and_apply_async_match_a_local_pool(void **state) {
  mproc_pool_t *pool = *state;
  mproc_pool_t *local = local_pool();
  int64_t inputs[] = {0, 3, -4, 1000000};
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; ++i) {
    struct outcome a = apply(pool, "square_or_refuse", &inputs[i], sizeof inputs[i]);
    struct outcome b = apply(local, "square_or_refuse", &inputs[i], sizeof inputs[i]);
    assert_int_equal(a.code, b.code);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.text, b.text, a.len);
  }
  finish(local);
  /* A thousand futures, each with its own answer. */
  enum { N = 1000 };
  static mproc_future_t *f[N];
  for (int64_t i = 0; i < N; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "square_or_refuse", &i, sizeof i, NULL, &f[i]));
  for (int64_t i = 0; i < N; ++i) {
    mproc_msg_t *m = NULL;
    assert_mproc_ok(mproc_future_result(f[i], &m, 60000));
    assert_int_equal(read_i64(test_msg_data(m), test_msg_size(m)), i * i);
    mproc_msg_free(m);
    mproc_future_free(f[i]);
  }
}

static void map_matches_a_local_pool_item_for_item(void **state) {
  mproc_pool_t *pool = *state;
  mproc_pool_t *local = local_pool();
  enum { N = 100000 };
  static int64_t in[N], out_mpi[N], out_local[N];
  for (int64_t i = 0; i < N; ++i) in[i] = i - 7;
  /* Items 0..6 are negative: the first failure is item 0, as locally. */
  size_t failed_mpi = 99, failed_local = 99;
  int rc_mpi = mproc_pool_map(pool, "square_or_refuse", in, 8, N, out_mpi, 8, NULL, &failed_mpi);
  char why_mpi[160];
  snprintf(why_mpi, sizeof why_mpi, "%s", mproc_last_error());
  int rc_local =
      mproc_pool_map(local, "square_or_refuse", in, 8, N, out_local, 8, NULL, &failed_local);
  assert_int_equal(rc_mpi, MPROC_ERANGE);
  assert_int_equal(rc_mpi, rc_local);
  assert_int_equal(failed_mpi, failed_local);
  assert_string_equal(why_mpi, mproc_last_error());
  /* Without the negative ones, every output in order, in chunks of 1, of
   * the automatic size and of 7000. */
  for (int64_t i = 0; i < N; ++i) in[i] = i;
  size_t sizes[] = {0, 7000, 1};
  for (size_t s = 0; s < 3; ++s) {
    mproc_map_opts_t *opts = NULL;
    assert_mproc_ok(mproc_map_opts_new(&opts));
    assert_mproc_ok(mproc_map_opts_set_chunksize(opts, sizes[s]));
    size_t n = sizes[s] == 1 ? 2000 : N; /* one message per item: keep it short */
    memset(out_mpi, 0, sizeof out_mpi);
    assert_mproc_ok(mproc_pool_map(pool, "square_or_refuse", in, 8, n, out_mpi, 8, opts, NULL));
    assert_mproc_ok(mproc_pool_map(local, "square_or_refuse", in, 8, n, out_local, 8, opts, NULL));
    assert_memory_equal(out_mpi, out_local, n * sizeof(int64_t));
    assert_int_equal(out_mpi[n - 1], (int64_t)(n - 1) * (int64_t)(n - 1));
    mproc_map_opts_free(opts);
  }
  finish(local);
}

/* Every result of an imap, as "index:code:bytes;" in the order delivered. */
static void collect_imap(mproc_imap_t *it, char *log, size_t cap) {
  log[0] = '\0';
  for (;;) {
    size_t index = 0;
    mproc_msg_t *m = NULL;
    int rc = mproc_imap_next(it, &index, &m, 60000);
    if (rc == MPROC_EOF) break;
    assert_true(rc != MPROC_ETIMEDOUT);
    char item[96];
    if (rc == 0) {
      snprintf(item, sizeof item, "%zu:0:%.*s;", index, (int)test_msg_size(m),
               (const char *)test_msg_data(m));
      mproc_msg_free(m);
    } else {
      snprintf(item, sizeof item, "%zu:%s:%s;", index, mproc_err_name(rc), mproc_last_error());
    }
    assert_true(strlen(log) + strlen(item) < cap);
    strcat(log, item);
  }
  mproc_imap_free(it);
}

static int compare_items(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The items of a log, sorted: what an unordered imap must match. */
static size_t sorted_items(char *log, char **items, size_t cap) {
  size_t n = 0;
  for (char *save = NULL, *t = strtok_r(log, ";", &save); t != NULL && n < cap;
       t = strtok_r(NULL, ";", &save))
    items[n++] = t;
  qsort(items, n, sizeof items[0], compare_items);
  return n;
}

static void imap_and_imap_unordered_match_a_local_pool(void **state) {
  mproc_pool_t *pool = *state;
  mproc_pool_t *local = local_pool();
  const char *words[] = {"a", "", "bad", "mpi", "rank", "bad", "owner", "x"};
  enum { N = sizeof words / sizeof words[0] };
  const void *inputs[N];
  size_t lens[N];
  for (size_t i = 0; i < N; ++i) {
    inputs[i] = words[i];
    lens[i] = strlen(words[i]);
  }
  static char log_mpi[4096], log_local[4096];
  for (size_t chunk = 1; chunk <= 3; chunk += 2) {
    mproc_map_opts_t *opts = NULL;
    assert_mproc_ok(mproc_map_opts_new(&opts));
    assert_mproc_ok(mproc_map_opts_set_chunksize(opts, chunk));
    mproc_imap_t *it = NULL;
    assert_mproc_ok(mproc_pool_imap(pool, "twice", inputs, lens, N, opts, &it));
    collect_imap(it, log_mpi, sizeof log_mpi);
    assert_mproc_ok(mproc_pool_imap(local, "twice", inputs, lens, N, opts, &it));
    collect_imap(it, log_local, sizeof log_local);
    assert_string_equal(log_mpi, log_local); /* in input order, errors alike */
    assert_mproc_ok(mproc_pool_imap_unordered(pool, "twice", inputs, lens, N, opts, &it));
    collect_imap(it, log_mpi, sizeof log_mpi);
    char *a[N], *b[N];
    assert_int_equal(sorted_items(log_mpi, a, N), N);
    assert_int_equal(sorted_items(log_local, b, N), N);
    for (size_t i = 0; i < N; ++i) assert_string_equal(a[i], b[i]);
    mproc_map_opts_free(opts);
  }
  finish(local);
}

/* Counts the callbacks; the last of `callbacks_wanted` sets the event. */
static atomic_int callbacks_seen;
static int callbacks_wanted;
static void count_callback(mproc_future_t *f, void *userdata) {
  int ready = 0;
  if (mproc_future_ready(f, &ready) != 0 || !ready) return;
  if (atomic_fetch_add(&callbacks_seen, 1) + 1 == callbacks_wanted)
    mproc_event_set((mproc_event_t *)userdata);
}

static void callbacks_run_once_per_task(void **state) {
  mproc_pool_t *pool = *state;
  enum { N = 200 };
  atomic_store(&callbacks_seen, 0);
  callbacks_wanted = N;
  mproc_event_t *all_seen = NULL;
  assert_mproc_ok(mproc_event_new(&all_seen, NULL));
  mproc_task_opts_t *opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&opts));
  assert_mproc_ok(mproc_task_opts_set_callback(opts, count_callback, all_seen));
  mproc_future_t *f[N];
  for (int64_t i = 0; i < N; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "square_or_refuse", &i, sizeof i, opts, &f[i]));
  mproc_task_opts_free(opts);
  for (int i = 0; i < N; ++i) mproc_future_free(f[i]); /* their tasks still run */
  assert_mproc_ok(mproc_event_wait(all_seen, 60000));
  assert_int_equal(atomic_load(&callbacks_seen), N);
  mproc_event_free(all_seen);
}

static void a_task_the_ranks_lack_fails_with_enotfound(void **state) {
  mproc_pool_t *pool = *state;
  /* Nowhere registered: refused at once, as by a local pool. */
  int64_t v = 1;
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "no_such_task", &v, sizeof v, NULL, &f),
                    MPROC_ENOTFOUND);
  /* Registered here only: the ranks answer that they lack it. */
  int rc = mproc_task_register("owner_only", NULL, owner_only);
  assert_true(rc == 0 || rc == MPROC_EEXIST);
  struct outcome o = apply(pool, "owner_only", &v, sizeof v);
  assert_int_equal(o.code, MPROC_ENOTFOUND);
  assert_non_null(strstr(o.text, "'owner_only' is not registered in the worker"));
  int64_t in[3] = {1, 2, 3}, out[3];
  size_t failed = 99;
  assert_mproc_code(mproc_pool_map(pool, "owner_only", in, 8, 3, out, 8, NULL, &failed),
                    MPROC_ENOTFOUND);
  assert_int_equal(failed, 0);
  /* The pool goes on. */
  o = apply(pool, "square_or_refuse", &in[2], sizeof in[2]);
  assert_int_equal(o.code, 0);
  /* A function travels by its registered name only. */
  assert_mproc_ok(mproc_pool_apply_async_fn(pool, owner_only, &v, sizeof v, NULL, &f));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(f, &m, 60000), MPROC_ENOTFOUND);
  mproc_future_free(f);
  assert_mproc_code(mproc_pool_apply_async_fn(pool, not_registered, &v, sizeof v, NULL, &f),
                    MPROC_ENOTSUP);
}

static void what_an_mpi_pool_cannot_do_is_refused(void **state) {
  mproc_pool_t *pool = *state;
  mproc_task_opts_t *opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&opts));
  assert_mproc_ok(mproc_task_opts_set_timeout(opts, 1000));
  int64_t v = 2;
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "square_or_refuse", &v, sizeof v, opts, &f),
                    MPROC_ENOTSUP);
  mproc_task_opts_free(opts);
  mproc_pool_opts_t *popts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&popts));
  assert_mproc_ok(mproc_pool_opts_set_backend(popts, MPROC_POOL_BACKEND_MPI));
  assert_mproc_ok(mproc_pool_opts_set_maxtasksperchild(popts, 3));
  mproc_pool_t *other = NULL;
  assert_mproc_code(mproc_pool_new(&other, popts), MPROC_ENOTSUP);
  assert_mproc_code(mproc_pool_opts_set_backend(popts, (mproc_pool_backend_t)7), MPROC_EINVAL);
  mproc_pool_opts_free(popts);
  /* The initializer's arguments travel to other hosts: plain values only. */
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  assert_mproc_ok(mproc_args_add_queue(args, q));
  assert_mproc_ok(mproc_pool_opts_new(&popts));
  assert_mproc_ok(mproc_pool_opts_set_backend(popts, MPROC_POOL_BACKEND_MPI));
  assert_mproc_ok(mproc_pool_opts_set_initializer(popts, "remember", args));
  assert_mproc_code(mproc_pool_new(&other, popts), MPROC_EINVAL);
  mproc_pool_opts_free(popts);
  mproc_args_free(args);
  mproc_queue_free(q);
}

/* ---- Pools of their own ------------------------------------------------- */

static void the_initializer_runs_in_every_rank(void **state) {
  (void)state;
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 4242));
  mproc_pool_t *pool = new_pool(MPROC_POOL_BACKEND_MPI, g_processes, "remember", args);
  mproc_args_free(args);
  size_t n = workers_of(pool);
  int64_t in[64], out[64];
  mproc_map_opts_t *opts = NULL;
  assert_mproc_ok(mproc_map_opts_new(&opts));
  assert_mproc_ok(mproc_map_opts_set_chunksize(opts, 1));
  assert_mproc_ok(mproc_pool_map(pool, "initialized_value", in, 8, 8 * n, out, 8, opts, NULL));
  mproc_map_opts_free(opts);
  for (size_t i = 0; i < 8 * n; ++i) assert_int_equal(out[i], 4242);
  finish(pool);
}

static void a_failing_initializer_breaks_the_pool(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(MPROC_POOL_BACKEND_MPI, g_processes, "refuse_to_start", NULL);
  int64_t v = 3;
  struct outcome o = apply(pool, "square_or_refuse", &v, sizeof v);
  /* The task fails with the initializer's failure, or, sent after it was
   * known, with EBROKEN naming it. */
  assert_true(o.code == MPROC_ETASK || o.code == MPROC_EBROKEN);
  assert_non_null(strstr(o.text, "initializer 'refuse_to_start' returned 7"));
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "square_or_refuse", &v, sizeof v, NULL, &f),
                    MPROC_EBROKEN);
  assert_mproc_ok(mproc_pool_terminate(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

static void terminate_fails_what_is_not_done_at_once(void **state) {
  (void)state;
  mproc_pool_t *pool = mpi_pool();
  size_t n = workers_of(pool);
  enum { N = 64 };
  mproc_future_t *f[N];
  int64_t ms = 600;
  for (size_t i = 0; i < N; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "nap_ms", &ms, sizeof ms, NULL, &f[i]));
  assert_mproc_ok(mproc_pool_terminate(pool));
  for (size_t i = 0; i < N; ++i) {
    int ready = 0, code = 0;
    assert_mproc_ok(mproc_future_ready(f[i], &ready));
    assert_true(ready); /* failed by terminate itself, not by a rank */
    assert_mproc_ok(mproc_future_error(f[i], &code, NULL));
    assert_int_equal(code, MPROC_ECLOSED);
    mproc_future_free(f[i]);
  }
  /* Spawned ranks are killed; an mpirun job's finish the one task each
   * runs (up to 600 ms) and skip the rest: either way join returns well
   * before the 64 naps could have run. */
  int64_t t0 = test_now_ms();
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  assert_true(test_now_ms() - t0 < (int64_t)(N / n) * ms);
  assert_mproc_code(mproc_pool_apply_async(pool, "nap_ms", &ms, sizeof ms, NULL, &f[0]),
                    MPROC_ESTATE);
  mproc_pool_free(pool);
}

static void close_lets_every_task_finish(void **state) {
  (void)state;
  mproc_pool_t *pool = mpi_pool();
  enum { N = 300 };
  mproc_future_t *f[N];
  for (int64_t i = 0; i < N; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "square_or_refuse", &i, sizeof i, NULL, &f[i]));
  assert_mproc_ok(mproc_pool_close(pool));
  int64_t late = 1;
  mproc_future_t *refused = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "square_or_refuse", &late, 8, NULL, &refused),
                    MPROC_ESTATE);
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  for (int64_t i = 0; i < N; ++i) {
    mproc_msg_t *m = NULL;
    assert_mproc_ok(mproc_future_result(f[i], &m, 0));
    assert_int_equal(read_i64(test_msg_data(m), test_msg_size(m)), i * i);
    mproc_msg_free(m);
    mproc_future_free(f[i]);
  }
  mproc_pool_free(pool);
}

/* A task that outlasts terminate: spawned ranks are killed a second later;
 * an mpirun job's cannot be, and join waits for the task. */
static void terminate_does_not_wait_long_for_a_spawned_rank(void **state) {
  (void)state;
  mproc_pool_t *pool = mpi_pool();
  char name[64], input[96];
  snprintf(name, sizeof name, "mproc-mpi-term-%lld", (long long)mproc_getpid());
  snprintf(input, sizeof input, "%d %s", g_world ? 1500 : 60000, name);
  mproc_queue_opts_t *qopts = NULL;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&qopts));
  assert_mproc_ok(mproc_queue_opts_set_name(qopts, name));
  assert_mproc_ok(mproc_queue_new(&q, qopts));
  mproc_queue_opts_free(qopts);
  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "report_then_nap", input, strlen(input), NULL, &f));
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 60000)); /* the task runs */
  mproc_msg_free(m);
  assert_mproc_ok(mproc_unlink(name));
  mproc_queue_free(q);
  int64_t t0 = test_now_ms();
  assert_mproc_ok(mproc_pool_terminate(pool));
  if (g_world) assert_mproc_code(mproc_pool_join(pool, 100), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  if (!g_world) {
    assert_true(test_now_ms() - t0 < 30000); /* killed, not waited for */
    ++g_killed;
  }
  int code = 0;
  assert_mproc_ok(mproc_future_error(f, &code, NULL));
  assert_int_equal(code, MPROC_ECLOSED);
  mproc_future_free(f);
  mproc_pool_free(pool);
}

/* Ranks serve pool after pool: a second pool takes those the first left. */
static void a_second_pool_takes_the_ranks_the_first_left(void **state) {
  (void)state;
  int64_t first[64], second[64];
  size_t n1 = 0, n2 = 0;
  mproc_pool_t *pool = mpi_pool();
  assert_mproc_ok(mproc_pool_worker_pids(pool, first, 64, &n1));
  finish(pool);
  pool = mpi_pool();
  assert_mproc_ok(mproc_pool_worker_pids(pool, second, 64, &n2));
  assert_int_equal(n1, n2);
  for (size_t i = 0; i < n1; ++i) {
    int found = 0;
    for (size_t k = 0; k < n2; ++k) found |= first[i] == second[k];
    assert_true(found);
  }
  finish(pool);
}

/* ---- Ranks that die (last) --------------------------------------------- */

/* A rank that dies mid-task fails the task it held with EWORKER, naming
 * it; with ranks left the pool goes on, with none it breaks. */
static void a_rank_killing_itself_fails_its_task(void **state) {
  (void)state;
  mproc_pool_t *pool = mpi_pool();
  size_t n = workers_of(pool);
  struct outcome o = apply(pool, "die", "", 0);
  assert_int_equal(o.code, MPROC_EWORKER);
  assert_non_null(strstr(o.text, "died holding this task"));
  assert_non_null(strstr(o.text, "rank"));
  int64_t v = 12;
  if (n == 1) {
    o = apply(pool, "square_or_refuse", &v, sizeof v);
    assert_int_equal(o.code, MPROC_EBROKEN);
    assert_non_null(strstr(o.text, "every rank of the pool is gone"));
    assert_mproc_ok(mproc_pool_terminate(pool));
    assert_mproc_ok(mproc_pool_join(pool, 60000));
    mproc_pool_free(pool);
    return;
  }
  assert_int_equal(workers_of(pool), n - 1);
  enum { N = 20000 };
  static int64_t in[N], out[N];
  for (int64_t i = 0; i < N; ++i) in[i] = i;
  assert_mproc_ok(mproc_pool_map(pool, "square_or_refuse", in, 8, N, out, 8, NULL, NULL));
  for (int64_t i = 0; i < N; ++i) assert_int_equal(out[i], i * i);
  finish(pool);
}

/* The same for a rank SIGKILLed from outside while its task waits. */
static void a_rank_killed_mid_task_fails_only_what_it_held(void **state) {
  (void)state;
  mproc_pool_t *pool = mpi_pool_of_the_living();
  size_t n = workers_of(pool);
  if (n < 2) {
    finish(pool);
    test_skip_because("needs two ranks: the one before took this job's other rank");
  }
  char name[64];
  snprintf(name, sizeof name, "mproc-mpi-test-%lld", (long long)mproc_getpid());
  char hold[80];
  snprintf(hold, sizeof hold, "%s-hold", name);
  mproc_queue_opts_t *qopts = NULL;
  mproc_queue_t *q = NULL, *held = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&qopts));
  assert_mproc_ok(mproc_queue_opts_set_name(qopts, name));
  assert_mproc_ok(mproc_queue_new(&q, qopts));
  assert_mproc_ok(mproc_queue_opts_set_name(qopts, hold));
  assert_mproc_ok(mproc_queue_new(&held, qopts));
  mproc_queue_opts_free(qopts);

  mproc_future_t *victim = NULL;
  assert_mproc_ok(
      mproc_pool_apply_async(pool, "report_then_hold", name, strlen(name), NULL, &victim));
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 60000));
  int64_t pid = read_i64(test_msg_data(m), test_msg_size(m));
  mproc_msg_free(m);
  /* Other work meanwhile: some may be queued behind the held task, on
   * the rank about to die. */
  enum { N = 64 };
  mproc_future_t *f[N];
  for (int64_t i = 0; i < N; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "square_or_refuse", &i, sizeof i, NULL, &f[i]));
  assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
  ++g_killed;

  char expect[64];
  snprintf(expect, sizeof expect, "(pid %lld) died", (long long)pid);
  assert_mproc_code(mproc_future_result(victim, &m, 60000), MPROC_EWORKER);
  assert_non_null(strstr(mproc_last_error(), expect));
  mproc_future_free(victim);
  /* Every other task is answered, or failed as held by the dead rank. */
  size_t lost = 0;
  for (int64_t i = 0; i < N; ++i) {
    int rc = mproc_future_result(f[i], &m, 60000);
    if (rc == 0) {
      assert_int_equal(read_i64(test_msg_data(m), test_msg_size(m)), i * i);
      mproc_msg_free(m);
    } else {
      assert_int_equal(rc, MPROC_EWORKER);
      assert_non_null(strstr(mproc_last_error(), expect));
      ++lost;
    }
    mproc_future_free(f[i]);
  }
  assert_true(lost < N);
  assert_int_equal(workers_of(pool), n - 1);
  int64_t v = 9;
  struct outcome o = apply(pool, "square_or_refuse", &v, sizeof v);
  assert_int_equal(o.code, 0);
  finish(pool);
  assert_mproc_ok(mproc_unlink(name));
  assert_mproc_ok(mproc_unlink(hold));
  mproc_queue_free(q);
  mproc_queue_free(held);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (mproc_main(argc, argv) != 0) return 1;
  g_processes = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  g_world = size != NULL && atoi(size) > 1;
  const struct CMUnitTest shared[] = {
      cmocka_unit_test(the_pool_says_it_runs_on_mpi),
      cmocka_unit_test(apply_and_apply_async_match_a_local_pool),
      cmocka_unit_test(map_matches_a_local_pool_item_for_item),
      cmocka_unit_test(imap_and_imap_unordered_match_a_local_pool),
      cmocka_unit_test(callbacks_run_once_per_task),
      cmocka_unit_test(a_task_the_ranks_lack_fails_with_enotfound),
      cmocka_unit_test(what_an_mpi_pool_cannot_do_is_refused),
  };
  const struct CMUnitTest own[] = {
      cmocka_unit_test(the_initializer_runs_in_every_rank),
      cmocka_unit_test(a_failing_initializer_breaks_the_pool),
      cmocka_unit_test(terminate_fails_what_is_not_done_at_once),
      cmocka_unit_test(close_lets_every_task_finish),
      cmocka_unit_test(a_second_pool_takes_the_ranks_the_first_left),
      cmocka_unit_test(terminate_does_not_wait_long_for_a_spawned_rank),
      cmocka_unit_test(a_rank_killed_mid_task_fails_only_what_it_held),
      cmocka_unit_test(a_rank_killing_itself_fails_its_task),
  };
  int failed = cmocka_run_group_tests_name("mpi-shared-pool", shared, make_shared_pool,
                                           free_shared_pool);
  failed += cmocka_run_group_tests_name("mpi-own-pools", own, NULL, NULL);
  return failed == 0 ? 0 : 1;
}
