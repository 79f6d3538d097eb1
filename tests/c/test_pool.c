/* Process pools: apply/apply_async/map/imap, failures that never hang the
 * pool, per-task timeouts, maxtasksperchild, initializers, close,
 * terminate and join. argv[1] picks the start method. */
#include "harness.h"
#include "fault_scenario.h"

#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

/* ---- Pool tasks --------------------------------------------------------- */

static int64_t read_i64(const void *in, size_t len) {
  int64_t v = 0;
  if (len == sizeof v) memcpy(&v, in, sizeof v);
  return v;
}

MPROC_POOL_TASK(square) {
  if (len != sizeof(int64_t)) return mproc_result_error(out, MPROC_EINVAL, "want 8 bytes");
  int64_t v = read_i64(in, len);
  v *= v;
  return mproc_result_set(out, &v, sizeof v);
}

MPROC_POOL_TASK(negative_fails) {
  int64_t v = read_i64(in, len);
  if (v < 0) {
    char why[64];
    snprintf(why, sizeof why, "negative input %lld", (long long)v);
    return mproc_result_error(out, MPROC_ERANGE, why);
  }
  return mproc_result_set(out, &v, sizeof v);
}

MPROC_POOL_TASK(worker_pid) {
  (void)in;
  (void)len;
  int64_t pid = mproc_getpid();
  return mproc_result_set(out, &pid, sizeof pid);
}

/* Kills its own worker when given "K"; echoes anything else. */
MPROC_POOL_TASK(maybe_die) {
  if (len == 1 && *(const char *)in == 'K') test_kill_self();
  return mproc_result_set(out, in, len);
}

/* Sleeps the given milliseconds, then answers. */
MPROC_POOL_TASK(sleep_ms) {
  int64_t ms = read_i64(in, len);
  test_sleep_ms((int)ms);
  return mproc_result_set(out, in, len);
}

/* Waits (up to a minute) for the named event its input names. */
MPROC_POOL_TASK(wait_named_event) {
  char name[128];
  if (len == 0 || len >= sizeof name) return mproc_result_error(out, MPROC_EINVAL, "bad name");
  memcpy(name, in, len);
  name[len] = '\0';
  mproc_event_t *e = NULL;
  int rc = mproc_event_open(&e, name);
  if (rc == 0) rc = mproc_event_wait(e, 60000);
  mproc_event_free(e);
  return rc != 0 ? mproc_result_error(out, rc, "waiting for the event failed")
                 : mproc_result_set(out, in, 0);
}

/* Upper-cases its input (variable sizes, for imap). */
MPROC_POOL_TASK(upper) {
  char *p = NULL;
  int rc = mproc_result_alloc(out, len, (void **)&p);
  if (rc != 0) return rc;
  for (size_t i = 0; i < len; ++i) {
    char c = ((const char *)in)[i];
    p[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  return 0;
}

/* Produces one byte, whatever map expects. */
MPROC_POOL_TASK(one_byte) {
  (void)in;
  (void)len;
  return mproc_result_set(out, "x", 1);
}

/* What the initializer left in this worker. */
static int64_t initialized_with = -1;
MPROC_TASK(remember) {
  return mproc_args_get_i64(args, 0, &initialized_with) == 0 ? 0 : 1;
}
MPROC_TASK(refuse_to_start) {
  (void)args;
  return 7;
}
MPROC_POOL_TASK(initialized_value) {
  (void)in;
  (void)len;
  return mproc_result_set(out, &initialized_with, sizeof initialized_with);
}

/* ---- Helpers ------------------------------------------------------------ */

static mproc_pool_t *new_pool(size_t n, size_t maxtasks) {
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, n));
  assert_mproc_ok(mproc_pool_opts_set_maxtasksperchild(opts, maxtasks));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  return pool;
}

static mproc_future_t *submit_i64(mproc_pool_t *pool, const char *task, int64_t v,
                                  mproc_task_opts_t *opts) {
  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, task, &v, sizeof v, opts, &f));
  return f;
}

/* A named event (its name in *name) and a wait_named_event task on it:
 * the worker that takes the task is held until the event is set, so what
 * is queued behind it waits, however slowly it is submitted. */
static mproc_event_t *new_named_event(const char **name) {
  mproc_shared_opts_t *named = NULL;
  assert_mproc_ok(mproc_shared_opts_new(&named));
  assert_mproc_ok(mproc_shared_opts_set_named(named, 1));
  mproc_event_t *e = NULL;
  assert_mproc_ok(mproc_event_new(&e, named));
  mproc_shared_opts_free(named);
  assert_mproc_ok(mproc_event_name(e, name));
  return e;
}

static mproc_future_t *submit_wait_for(mproc_pool_t *pool, const char *event_name) {
  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "wait_named_event", event_name,
                                         strlen(event_name), NULL, &f));
  return f;
}

static int64_t result_i64(mproc_future_t *f) {
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_future_result(f, &m, 60000));
  assert_int_equal(test_msg_size(m), sizeof(int64_t));
  int64_t v = read_i64(test_msg_data(m), test_msg_size(m));
  mproc_msg_free(m);
  return v;
}

static void finish(mproc_pool_t *pool) {
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

/* ---- Tests -------------------------------------------------------------- */

static void a_pool_of_five_runs_seven_tasks(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(5, 0);
  size_t n = 0;
  assert_mproc_ok(mproc_pool_processes(pool, &n));
  assert_int_equal(n, 5);
  mproc_future_t *fs[7];
  for (int i = 0; i < 7; ++i) fs[i] = submit_i64(pool, "square", i, NULL);
  for (int i = 0; i < 7; ++i) {
    assert_int_equal(result_i64(fs[i]), (int64_t)i * i);
    int ready = 0, ok = 0;
    assert_mproc_ok(mproc_future_ready(fs[i], &ready));
    assert_mproc_ok(mproc_future_successful(fs[i], &ok));
    assert_true(ready && ok);
    mproc_future_free(fs[i]);
  }
  mproc_msg_t *m = NULL;
  int64_t v = 9;
  assert_mproc_ok(mproc_pool_apply(pool, "square", &v, sizeof v, NULL, &m, 60000));
  assert_int_equal(read_i64(test_msg_data(m), test_msg_size(m)), 81);
  mproc_msg_free(m);
  finish(pool);
}

static void map_over_a_hundred_thousand_inputs_keeps_order(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 0);
  enum { kCount = 100000 };
  int64_t *in = malloc(kCount * sizeof *in), *out = malloc(kCount * sizeof *out);
  for (int i = 0; i < kCount; ++i) in[i] = i - 50000;
  mproc_map_opts_t *opts = test_map_opts(0, 60000);
  assert_mproc_ok(mproc_pool_map(pool, "square", in, sizeof *in, kCount, out, sizeof *out, opts,
                                 NULL));
  mproc_map_opts_free(opts);
  for (int i = 0; i < kCount; ++i) assert_int_equal(out[i], in[i] * in[i]);
  /* Small explicit chunks give the same answer. */
  memset(out, 0, kCount * sizeof *out);
  opts = test_map_opts(7, 60000);
  assert_mproc_ok(mproc_pool_map(pool, "square", in, sizeof *in, 1000, out, sizeof *out, opts,
                                 NULL));
  mproc_map_opts_free(opts);
  for (int i = 0; i < 1000; ++i) assert_int_equal(out[i], in[i] * in[i]);
  /* An empty map returns at once. */
  int64_t t0 = test_now_ms();
  assert_mproc_ok(mproc_pool_map(pool, "square", NULL, 8, 0, NULL, 8, NULL, NULL));
  assert_true(test_now_ms() - t0 < 1000);
  free(in);
  free(out);
  finish(pool);
}

static void imap_and_imap_unordered_deliver_every_result_once(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(3, 0);
  enum { kCount = 1000 };
  char *bufs[kCount];
  const void *inputs[kCount];
  size_t lens[kCount];
  for (int i = 0; i < kCount; ++i) {
    bufs[i] = malloc(32);
    lens[i] = (size_t)snprintf(bufs[i], 32, "item-%d", i) - (size_t)(i % 3);
    inputs[i] = bufs[i];
  }
  for (int ordered = 1; ordered >= 0; --ordered) {
    mproc_imap_t *it = NULL;
    mproc_map_opts_t *opts = test_map_opts(ordered ? 1 : 10, MPROC_FOREVER);
    if (ordered)
      assert_mproc_ok(mproc_pool_imap(pool, "upper", inputs, lens, kCount, opts, &it));
    else
      assert_mproc_ok(mproc_pool_imap_unordered(pool, "upper", inputs, lens, kCount, opts, &it));
    mproc_map_opts_free(opts);
    int seen[kCount] = {0};
    for (int k = 0; k < kCount; ++k) {
      size_t index = 0;
      mproc_msg_t *m = NULL;
      assert_mproc_ok(mproc_imap_next(it, &index, &m, 60000));
      if (ordered) assert_int_equal(index, (size_t)k);
      assert_true(index < kCount);
      seen[index]++;
      assert_int_equal(test_msg_size(m), lens[index]);
      for (size_t c = 0; c < lens[index]; ++c) {
        char want = bufs[index][c];
        if (want >= 'a' && want <= 'z') want = (char)(want - 32);
        assert_int_equal(((const char *)test_msg_data(m))[c], want);
      }
      mproc_msg_free(m);
    }
    size_t index;
    mproc_msg_t *m = NULL;
    assert_mproc_code(mproc_imap_next(it, &index, &m, 0), MPROC_EOF);
    for (int i = 0; i < kCount; ++i) assert_int_equal(seen[i], 1);
    mproc_imap_free(it);
  }
  for (int i = 0; i < kCount; ++i) free(bufs[i]);
  finish(pool);
}

static void result_view_reads_the_output_in_place(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  /* Held until `go` is set: not done, then done. */
  const char *go_name = NULL;
  mproc_event_t *go = new_named_event(&go_name);
  mproc_future_t *held = submit_wait_for(pool, go_name);
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_code(mproc_future_result_view(held, &data, &size, 0), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_event_set(go));
  assert_mproc_ok(mproc_future_result_view(held, &data, &size, 60000));
  mproc_future_free(held);
  assert_mproc_ok(mproc_unlink(go_name));
  mproc_event_free(go);

  mproc_future_t *f = submit_i64(pool, "square", 12, NULL);
  assert_mproc_ok(mproc_future_result_view(f, &data, &size, 60000));
  assert_int_equal(size, sizeof(int64_t));
  assert_int_equal(read_i64(data, size), 144);
  /* The same bytes every time, in place; mproc_future_result copies. */
  const void *again = NULL;
  assert_mproc_ok(mproc_future_result_view(f, &again, &size, 0));
  assert_ptr_equal(again, data);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_future_result(f, &m, 0));
  assert_ptr_not_equal(test_msg_data(m), data);
  assert_int_equal(read_i64(test_msg_data(m), test_msg_size(m)), 144);
  mproc_msg_free(m);
  assert_mproc_code(mproc_future_result_view(f, NULL, &size, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_future_result_view(f, &data, NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_future_result_view(NULL, &data, &size, 0), MPROC_EINVAL);
  mproc_future_free(f);

  /* A failed task: its code and message, as mproc_future_result. */
  mproc_future_t *failing = submit_i64(pool, "negative_fails", -5, NULL);
  assert_mproc_code(mproc_future_result_view(failing, &data, &size, 60000), MPROC_ERANGE);
  assert_non_null(strstr(mproc_last_error(), "negative input -5"));
  mproc_future_free(failing);
  finish(pool);
}

/* Never runs: options with a callback are refused by mproc_pool_apply_async_to. */
static void refused_callback(mproc_future_t *f, void *userdata) {
  (void)f;
  (void)userdata;
  fail();
}

/* Takes one outcome from `c` (waiting up to a minute) into *h and its bytes:
 * asked for the room the oldest needs, then given just that. */
static void take_one(mproc_completions_t *c, mproc_completion_t *h, char *bytes, size_t cap) {
  _Alignas(8) char buf[sizeof(mproc_completion_t) + 64];
  size_t used = 0;
  assert_mproc_code(mproc_completions_take(c, buf, 0, &used, 60000), MPROC_ETOOBIG);
  assert_true(used >= sizeof *h && used <= sizeof buf);
  assert_mproc_ok(mproc_completions_take(c, buf, used, &used, 0));
  assert_true(used >= sizeof *h && used <= sizeof buf);
  memcpy(h, buf, sizeof *h);
  assert_true(h->size <= cap);
  assert_int_equal(used, sizeof *h + ((h->size + 7) & ~(uint64_t)7));
  memcpy(bytes, buf + sizeof *h, h->size);
}

static void completions_gather_outcomes_by_tag(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 0);
  mproc_completions_t *c = NULL;
  assert_mproc_ok(mproc_completions_new(&c));
  size_t used = 0;
  char buf[4096];
  assert_mproc_code(mproc_completions_take(c, buf, sizeof buf, &used, 0), MPROC_ETIMEDOUT);
  enum { kTasks = 50 };
  for (int64_t i = 0; i < kTasks; ++i)
    assert_mproc_ok(mproc_pool_apply_async_to(pool, "square", &i, sizeof i, NULL, c,
                                              (uint64_t)i + 1000));
  int64_t failing = -5;
  assert_mproc_ok(
      mproc_pool_apply_async_to(pool, "negative_fails", &failing, sizeof failing, NULL, c, 7));
  /* Every outcome once, by its tag: squares, and the failure's code and message. */
  int seen[kTasks] = {0};
  int failures = 0;
  for (int k = 0; k < kTasks + 1; ++k) {
    mproc_completion_t h;
    char bytes[64];
    take_one(c, &h, bytes, sizeof bytes);
    assert_int_equal(h.reserved, 0);
    if (h.tag == 7) {
      assert_int_equal(h.code, MPROC_ERANGE);
      assert_int_equal(h.size, strlen("negative input -5"));
      assert_memory_equal(bytes, "negative input -5", h.size);
      failures++;
      continue;
    }
    assert_int_equal(h.code, 0);
    assert_true(h.tag >= 1000 && h.tag < 1000 + kTasks);
    int64_t i = (int64_t)h.tag - 1000;
    assert_int_equal(read_i64(bytes, h.size), i * i);
    seen[i]++;
  }
  assert_int_equal(failures, 1);
  for (int i = 0; i < kTasks; ++i) assert_int_equal(seen[i], 1);
  /* Many at once: as many whole outcomes as fit; none that does not fit. */
  for (int64_t i = 0; i < 3; ++i)
    assert_mproc_ok(mproc_pool_apply_async_to(pool, "square", &i, sizeof i, NULL, c, 1));
  size_t got = 0;
  while (got < 3) {
    assert_mproc_ok(mproc_completions_take(c, buf, sizeof buf, &used, 60000));
    assert_int_equal(used % 32, 0); /* 24-byte header, 8 bytes of output */
    got += used / 32;
  }
  assert_int_equal(got, 3);
  int64_t v = 3;
  assert_mproc_ok(mproc_pool_apply_async_to(pool, "square", &v, sizeof v, NULL, c, 1));
  assert_mproc_code(mproc_completions_take(c, buf, 8, &used, 60000), MPROC_ETOOBIG);
  assert_int_equal(used, 32);
  assert_mproc_ok(mproc_completions_take(c, buf, used, &used, 0));
  /* Bad arguments. */
  assert_mproc_code(mproc_completions_take(c, NULL, 8, &used, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_completions_take(c, buf, sizeof buf, NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_completions_take(NULL, buf, sizeof buf, &used, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_completions_new(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_pool_apply_async_to(pool, "square", &v, sizeof v, NULL, NULL, 1),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_pool_apply_async_to(pool, "nope", &v, sizeof v, NULL, c, 1),
                    MPROC_ENOTFOUND);
  mproc_task_opts_t *with_callback = NULL;
  assert_mproc_ok(mproc_task_opts_new(&with_callback));
  assert_mproc_ok(mproc_task_opts_set_callback(with_callback, refused_callback, NULL));
  assert_mproc_code(
      mproc_pool_apply_async_to(pool, "square", &v, sizeof v, with_callback, c, 1),
      MPROC_EINVAL);
  mproc_task_opts_free(with_callback);
  /* A queue freed with tasks in flight: they run on, their outcomes dropped. */
  for (int64_t i = 0; i < 20; ++i)
    assert_mproc_ok(mproc_pool_apply_async_to(pool, "square", &i, sizeof i, NULL, c, 1));
  mproc_completions_free(c);
  mproc_completions_free(NULL);
  finish(pool);
}

static void errors_arrive_with_their_messages(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 0);
  mproc_future_t *f = submit_i64(pool, "negative_fails", -5, NULL);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(f, &m, 60000), MPROC_ERANGE);
  assert_non_null(strstr(mproc_last_error(), "negative input -5"));
  int code = 0, ok = 1;
  const char *message = NULL;
  assert_mproc_ok(mproc_future_error(f, &code, &message));
  assert_int_equal(code, MPROC_ERANGE);
  assert_string_equal(message, "negative input -5");
  assert_mproc_ok(mproc_future_successful(f, &ok));
  assert_int_equal(ok, 0);
  mproc_future_free(f);
  /* map names the first failing item. */
  int64_t in[100], out[100];
  for (int i = 0; i < 100; ++i) in[i] = (i == 37 || i == 80) ? -i : i;
  size_t failed = 0;
  mproc_map_opts_t *opts = test_map_opts(10, 60000);
  assert_mproc_code(mproc_pool_map(pool, "negative_fails", in, 8, 100, out, 8, opts, &failed),
                    MPROC_ERANGE);
  mproc_map_opts_free(opts);
  assert_int_equal(failed, 37);
  assert_non_null(strstr(mproc_last_error(), "negative input -37"));
  /* A task whose output is not the size map expects. */
  assert_mproc_code(mproc_pool_map(pool, "one_byte", in, 8, 10, out, 8, NULL, &failed),
                    MPROC_EINVAL);
  /* imap reports per item. */
  const void *inputs[3] = {&in[1], &in[37], &in[2]};
  size_t lens[3] = {8, 8, 8};
  mproc_imap_t *it = NULL;
  assert_mproc_ok(mproc_pool_imap(pool, "negative_fails", inputs, lens, 3, NULL, &it));
  size_t index;
  assert_mproc_ok(mproc_imap_next(it, &index, &m, 60000));
  mproc_msg_free(m);
  assert_mproc_code(mproc_imap_next(it, &index, &m, 60000), MPROC_ERANGE);
  assert_int_equal(index, 1);
  assert_mproc_ok(mproc_imap_next(it, &index, &m, 60000));
  mproc_msg_free(m);
  mproc_imap_free(it);
  /* Unknown tasks are refused at submission. */
  assert_mproc_code(mproc_pool_apply_async(pool, "no_such_pool_task", NULL, 0, NULL, &f),
                    MPROC_ENOTFOUND);
  finish(pool);
}

/* Fails with a code of its own, which is not one of the MPROC_E* codes. */
MPROC_POOL_TASK(odd_code) { return mproc_result_error(out, -5000, "custom failure"); }
MPROC_TASK(pool_suite_process_task) { return 0; }

/* Only documented codes leave the library: a task's own number arrives as
 * MPROC_ETASK, the number and the task's message kept in the message. */
static void a_task_code_outside_the_table_arrives_as_etask(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_pool_apply(pool, "odd_code", "x", 1, NULL, &m, 60000), MPROC_ETASK);
  assert_non_null(strstr(mproc_last_error(), "task returned code -5000: custom failure"));
  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "odd_code", "x", 1, NULL, &f));
  assert_mproc_ok(mproc_future_wait(f, 60000));
  int code = 0;
  const char *message = NULL;
  assert_mproc_ok(mproc_future_error(f, &code, &message));
  assert_int_equal(code, MPROC_ETASK);
  assert_non_null(strstr(message, "-5000"));
  mproc_future_free(f);
  finish(pool);
}

/* One registry, two kinds: a pool runs pool tasks, its initializer is a
 * process task; the other kind is ETYPE, named in the message. */
static void a_task_of_the_other_kind_is_a_type_error(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "pool_suite_process_task", "x", 1, NULL, &f),
                    MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "is a process task (MPROC_TASK), not a pool task"));
  assert_null(f);
  const void *inputs[] = {"a"};
  size_t lens[] = {1};
  mproc_imap_t *it = NULL;
  assert_mproc_code(mproc_pool_imap(pool, "pool_suite_process_task", inputs, lens, 1, NULL, &it),
                    MPROC_ETYPE);
  finish(pool);
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 1));
  assert_mproc_ok(mproc_pool_opts_set_initializer(opts, "square", NULL));
  pool = NULL;
  assert_mproc_code(mproc_pool_new(&pool, opts), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "initializer"));
  assert_null(pool);
  mproc_pool_opts_free(opts);
}

/* map's time limit comes from its options: the whole map past it is
 * ETIMEDOUT, promptly. */
static void a_map_past_its_options_timeout_times_out(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  int64_t in[2] = {30000, 30000}, out[2];
  mproc_map_opts_t *opts = test_map_opts(1, 300);
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_pool_map(pool, "sleep_ms", in, 8, 2, out, 8, opts, NULL),
                    MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 20000);
  mproc_map_opts_free(opts);
  assert_mproc_code(mproc_map_opts_set_chunksize(NULL, 1), MPROC_EINVAL);
  mproc_map_opts_free(NULL);
  assert_mproc_ok(mproc_pool_terminate(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

static void a_task_that_kills_its_worker_fails_alone(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 0);
  enum { kOthers = 1000 };
  mproc_future_t *fs[kOthers + 1];
  for (int i = 0; i <= kOthers; ++i) {
    char c = i == kOthers / 2 ? 'K' : 'a';
    assert_mproc_ok(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &fs[i]));
  }
  for (int i = 0; i <= kOthers; ++i) {
    mproc_msg_t *m = NULL;
    int rc = mproc_future_result(fs[i], &m, 60000);
    if (i == kOthers / 2) {
      assert_int_equal(rc, MPROC_EWORKER);
      assert_non_null(strstr(mproc_last_error(), "SIGKILL"));
    } else {
      assert_mproc_code(rc, 0);
      assert_memory_equal(test_msg_data(m), "a", 1);
      mproc_msg_free(m);
    }
    mproc_future_free(fs[i]);
  }
  /* The dead worker was replaced: the pool has two again. */
  size_t n = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, NULL, 0, &n));
  assert_int_equal(n, 2);
  finish(pool);
}

static void maxtasksperchild_replaces_workers(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 2);
  int64_t before[2];
  size_t n = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, before, 2, &n));
  int64_t pids[12];
  for (int i = 0; i < 12; ++i) {
    mproc_future_t *f = submit_i64(pool, "worker_pid", 0, NULL);
    pids[i] = result_i64(f);
    mproc_future_free(f);
  }
  /* Each worker ran at most two tasks: at least six distinct pids. */
  int distinct = 0;
  for (int i = 0; i < 12; ++i) {
    int again = 0;
    for (int j = 0; j < i; ++j) again |= pids[j] == pids[i];
    distinct += !again;
  }
  assert_true(distinct >= 6);
  for (int i = 0; i < 12; ++i) {
    int count = 0;
    for (int j = 0; j < 12; ++j) count += pids[j] == pids[i];
    assert_true(count <= 2);
  }
  finish(pool);
}

static void terminate_fails_ten_thousand_pending_tasks_promptly(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 0);
  enum { kTasks = 10000 };
  /* Each worker first gets a task that waits for an event never set, so
   * none of the 10,000 queued behind them can run, however slowly they
   * are submitted (ThreadSanitizer slows the loop enough for ~100 to). */
  const char *never_name = NULL;
  mproc_event_t *never = new_named_event(&never_name);
  mproc_future_t *blockers[2];
  for (int i = 0; i < 2; ++i) blockers[i] = submit_wait_for(pool, never_name);
  mproc_future_t **fs = malloc(kTasks * sizeof *fs);
  for (int i = 0; i < kTasks; ++i) fs[i] = submit_i64(pool, "sleep_ms", 1, NULL);
  int64_t t0 = test_now_ms();
  assert_mproc_ok(mproc_pool_terminate(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  assert_true(test_now_ms() - t0 < 5000);
  int failed = 0;
  for (int i = 0; i < kTasks; ++i) {
    int code = 0;
    assert_mproc_ok(mproc_future_wait(fs[i], 0));
    assert_mproc_ok(mproc_future_error(fs[i], &code, NULL));
    failed += code == MPROC_ECLOSED;
    mproc_future_free(fs[i]);
  }
  /* Behind the blockers, none ran. */
  assert_int_equal(failed, kTasks);
  for (int i = 0; i < 2; ++i) {
    int code = 0;
    assert_mproc_ok(mproc_future_wait(blockers[i], 0));
    assert_mproc_ok(mproc_future_error(blockers[i], &code, NULL));
    assert_int_equal(code, MPROC_ECLOSED);
    mproc_future_free(blockers[i]);
  }
  assert_mproc_ok(mproc_unlink(never_name));
  mproc_event_free(never);
  mproc_future_t *late = NULL;
  int64_t v = 1;
  assert_mproc_code(mproc_pool_apply_async(pool, "square", &v, 8, NULL, &late), MPROC_ESTATE);
  free(fs);
  mproc_pool_free(pool);
}

static void a_task_past_its_timeout_fails_alone(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  int64_t first_pid = 0;
  size_t n = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, &first_pid, 1, &n));
  mproc_task_opts_t *opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&opts));
  assert_mproc_ok(mproc_task_opts_set_timeout(opts, 200));
  int64_t t0 = test_now_ms();
  mproc_future_t *slow = submit_i64(pool, "sleep_ms", 30000, opts);
  mproc_future_t *after = submit_i64(pool, "square", 12, NULL);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(slow, &m, 60000), MPROC_ETIMEDOUT);
  assert_non_null(strstr(mproc_last_error(), "timeout"));
  assert_true(test_now_ms() - t0 < 20000);
  assert_int_equal(result_i64(after), 144);
  /* A task within its timeout is untouched. */
  mproc_future_t *quick = submit_i64(pool, "sleep_ms", 1, opts);
  assert_int_equal(result_i64(quick), 1);
  int64_t now_pid = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, &now_pid, 1, &n));
  assert_int_not_equal(now_pid, first_pid);
  mproc_future_free(slow);
  mproc_future_free(after);
  mproc_future_free(quick);
  mproc_task_opts_free(opts);
  finish(pool);
}

static void close_and_join_with_one_task_per_child_does_not_hang(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(2, 1);
  mproc_future_t *fs[20];
  for (int i = 0; i < 20; ++i) fs[i] = submit_i64(pool, "square", i, NULL);
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  for (int i = 0; i < 20; ++i) {
    assert_int_equal(result_i64(fs[i]), (int64_t)i * i);
    mproc_future_free(fs[i]);
  }
  mproc_future_t *late = NULL;
  int64_t v = 1;
  assert_mproc_code(mproc_pool_apply_async(pool, "square", &v, 8, NULL, &late), MPROC_ESTATE);
  mproc_pool_free(pool);
}

static void join_needs_close_or_terminate(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  assert_mproc_code(mproc_pool_join(pool, 0), MPROC_ESTATE);
  finish(pool);
}

static void the_initializer_runs_in_every_worker(void **state) {
  (void)state;
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 4242));
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 2));
  assert_mproc_ok(mproc_pool_opts_set_initializer(opts, "remember", args));
  mproc_args_free(args); /* the options keep their own copy */
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  for (int i = 0; i < 10; ++i) {
    mproc_future_t *f = submit_i64(pool, "initialized_value", 0, NULL);
    assert_int_equal(result_i64(f), 4242);
    mproc_future_free(f);
  }
  finish(pool);
}

static void a_failing_initializer_breaks_the_pool_once(void **state) {
  (void)state;
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 2));
  assert_mproc_ok(mproc_pool_opts_set_initializer(opts, "refuse_to_start", NULL));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  mproc_future_t *f = NULL;
  int64_t v = 3;
  int rc = mproc_pool_apply_async(pool, "square", &v, 8, NULL, &f);
  if (rc == 0) {
    mproc_msg_t *m = NULL;
    assert_int_not_equal(mproc_future_result(f, &m, 60000), 0);
    assert_non_null(strstr(mproc_last_error(), "initializer"));
    mproc_future_free(f);
  } else {
    assert_mproc_code(rc, MPROC_EBROKEN);
  }
  /* Broken for good, and saying why; no worker is started again. */
  int64_t t0 = test_now_ms();
  do {
    rc = mproc_pool_apply_async(pool, "square", &v, 8, NULL, &f);
    if (rc == 0) mproc_future_free(f);
  } while (rc == 0 && test_now_ms() - t0 < 30000);
  assert_mproc_code(rc, MPROC_EBROKEN);
  assert_non_null(strstr(mproc_last_error(), "initializer"));
  assert_mproc_ok(mproc_pool_terminate(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  size_t n = 9;
  assert_mproc_ok(mproc_pool_worker_pids(pool, NULL, 0, &n));
  assert_int_equal(n, 0);
  mproc_pool_free(pool);
}

/* A timeout too long to count in nanoseconds is "very long", not an
 * overflow that expires at once. */
static void a_task_timeout_of_int64_max_never_expires(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  mproc_task_opts_t *opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&opts));
  const int64_t timeouts[] = {INT64_MAX, INT64_MAX / 1000000 + 1};
  for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; ++i) {
    assert_mproc_ok(mproc_task_opts_set_timeout(opts, timeouts[i]));
    /* Long enough for the collector to look at its clock a few times. */
    mproc_future_t *f = submit_i64(pool, "sleep_ms", 50, opts);
    assert_int_equal(result_i64(f), 50);
    mproc_future_free(f);
  }
  mproc_task_opts_free(opts);
  finish(pool);
}

/* A callback that submits more work: the pool must not deadlock. */
struct chain {
  mproc_pool_t *pool;
  atomic_int done;
  mproc_sem_t *finished;
};
static void chain_next(mproc_future_t *f, void *userdata) {
  struct chain *c = userdata;
  mproc_msg_t *m = NULL;
  if (mproc_future_result(f, &m, 0) != 0) return;
  int64_t v = read_i64(test_msg_data(m), test_msg_size(m));
  mproc_msg_free(m);
  int n = atomic_fetch_add(&c->done, 1) + 1;
  if (n < 20) {
    mproc_task_opts_t *opts = NULL;
    mproc_task_opts_new(&opts);
    mproc_task_opts_set_callback(opts, chain_next, c);
    mproc_future_t *next = NULL;
    int64_t small = v % 1000;
    if (mproc_pool_apply_async(c->pool, "square", &small, 8, opts, &next) == 0)
      mproc_future_free(next);
    mproc_task_opts_free(opts);
  } else {
    mproc_sem_release(c->finished);
  }
}

static void callbacks_run_and_may_submit_more(void **state) {
  (void)state;
  struct chain c;
  c.pool = new_pool(2, 0);
  atomic_init(&c.done, 0);
  assert_mproc_ok(mproc_sem_new(&c.finished, 0, NULL));
  mproc_task_opts_t *opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&opts));
  assert_mproc_ok(mproc_task_opts_set_callback(opts, chain_next, &c));
  mproc_future_t *f = submit_i64(c.pool, "square", 3, opts);
  mproc_future_free(f); /* the callback still runs */
  assert_mproc_ok(mproc_sem_acquire(c.finished, 60000));
  assert_int_equal(atomic_load(&c.done), 20);
  mproc_task_opts_free(opts);
  mproc_sem_free(c.finished);
  finish(c.pool);
}

static int unregistered_double(const void *in, size_t len, mproc_result_t *out) {
  int64_t v = read_i64(in, len) * 2;
  return mproc_result_set(out, &v, sizeof v);
}

static void unregistered_functions_run_only_in_fork_pools(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  mproc_future_t *f = NULL;
  int64_t v = 21;
  int rc = mproc_pool_apply_async_fn(pool, unregistered_double, &v, 8, NULL, &f);
  if (mproc_get_start_method() == MPROC_START_FORK) {
    assert_mproc_ok(rc);
    assert_int_equal(result_i64(f), 42);
    mproc_future_free(f);
  } else {
    assert_mproc_code(rc, MPROC_ENOTSUP);
  }
  finish(pool);
}

/* The backend option and the environment's default (mproc/pool_mpi.h; the
 * MPI pool itself is tested in tests/mpi). */
static void a_pool_runs_on_the_backend_it_is_given(void **state) {
  (void)state;
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_code(mproc_pool_opts_set_backend(opts, (mproc_pool_backend_t)3), MPROC_EINVAL);
  assert_mproc_code(mproc_pool_opts_set_backend(NULL, MPROC_POOL_BACKEND_LOCAL), MPROC_EINVAL);
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 1));
  mproc_pool_t *pool = NULL;
  /* DEFAULT follows MPROC_POOL_BACKEND, which must name a backend. */
  assert_int_equal(test_setenv("MPROC_POOL_BACKEND", "bogus"), 0);
  assert_mproc_code(mproc_pool_new(&pool, opts), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "MPROC_POOL_BACKEND"));
  assert_int_equal(test_setenv("MPROC_POOL_BACKEND", "local"), 0);
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_backend_t backend = MPROC_POOL_BACKEND_DEFAULT;
  assert_mproc_ok(mproc_pool_get_backend(pool, &backend));
  assert_int_equal(backend, MPROC_POOL_BACKEND_LOCAL);
  assert_mproc_code(mproc_pool_get_backend(pool, NULL), MPROC_EINVAL);
  finish(pool);
  assert_int_equal(test_setenv("MPROC_POOL_BACKEND", ""), 0);
  /* MPI without its plug-in: refused, saying what is missing. */
  assert_int_equal(test_setenv("MPROC_MPI_PLUGIN", "/nonexistent/mproc-mpi.so"), 0);
  assert_mproc_ok(mproc_pool_opts_set_backend(opts, MPROC_POOL_BACKEND_MPI));
  assert_mproc_code(mproc_pool_new(&pool, opts), MPROC_ENOTSUP);
  assert_non_null(strstr(mproc_last_error(), "/nonexistent/mproc-mpi.so"));
  assert_int_equal(test_setenv("MPROC_MPI_PLUGIN", ""), 0);
  mproc_pool_opts_free(opts);
}

static void bad_arguments(void **state) {
  (void)state;
  mproc_pool_t *pool = NULL;
  assert_mproc_code(mproc_pool_new(NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_pool_apply_async(NULL, "square", NULL, 0, NULL, NULL), MPROC_EINVAL);
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_future_wait(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_pool_join(NULL, 0), MPROC_EINVAL);
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_initializer(opts, "no_such_initializer", NULL));
  assert_mproc_code(mproc_pool_new(&pool, opts), MPROC_ENOTFOUND);
  mproc_pool_opts_free(opts);
  pool = new_pool(1, 0);
  assert_mproc_code(mproc_pool_apply_async(pool, NULL, NULL, 0, NULL, &f), MPROC_EINVAL);
  assert_mproc_code(mproc_pool_apply_async(pool, "square", NULL, 5, NULL, &f), MPROC_EINVAL);
  f = submit_i64(pool, "sleep_ms", 300, NULL);
  int ok;
  int rc = mproc_future_successful(f, &ok);
  assert_true(rc == MPROC_ESTATE || rc == 0);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(f, &m, 0), MPROC_ETIMEDOUT);
  mproc_future_free(f);
  assert_mproc_code(mproc_result_set(NULL, "x", 1), MPROC_EINVAL);
  void *where = NULL;
  assert_mproc_code(mproc_result_alloc(NULL, 1, &where), MPROC_EINVAL);
  assert_null(where);
  mproc_future_free(NULL);
  mproc_imap_free(NULL);
  mproc_pool_free(NULL);
  mproc_pool_opts_free(NULL);
  mproc_task_opts_free(NULL);
  mproc_pool_free(pool); /* running: terminated, then freed */
}

/* ---- Injected faults (src/core/fault.hpp) -------------------------------- */

/* The fault plan is read once per process, so each scenario runs in a
 * fresh copy of this program (argv: method, "--fault", scenario) with
 * MPROC_TEST_FAULT set; it reports like any cmocka group. Each must end
 * well within the time given: a hang fails it. */
static char self_path[4096];
static const char *self_method = "spawn";

static void run_fault_scenario(const char *scenario, const char *plan) {
  test_run_fault_scenario(self_path, self_method, scenario, plan);
}

/* pool-start:2. The pool is made whole or not at all: the second of three
 * workers fails to start, pool_new says so, and the first is stopped. */
static void scenario_a_worker_start_fails(void **state) {
  (void)state;
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 3));
  mproc_pool_t *pool = NULL;
  assert_mproc_code(mproc_pool_new(&pool, opts), MPROC_EAGAIN);
  assert_non_null(strstr(mproc_last_error(), "worker 2 of 3 could not start"));
  assert_non_null(strstr(mproc_last_error(), "injected fault"));
  mproc_pool_opts_free(opts);
  size_t children = 9;
  assert_mproc_ok(mproc_active_children(NULL, 0, &children));
  assert_int_equal(children, 0);
  /* The fault was one start: the next pool is whole. */
  pool = new_pool(3, 0);
  mproc_future_t *f = submit_i64(pool, "square", 7, NULL);
  assert_int_equal(result_i64(f), 49);
  mproc_future_free(f);
  finish(pool);
}

/* pool-replace:1. A dead worker that cannot be replaced breaks the pool:
 * its task fails with EWORKER, every other with EBROKEN and the reason,
 * new work is refused with EBROKEN, and close and join still end. */
static void scenario_a_replacement_fails(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  enum { kQueued = 5 };
  mproc_future_t *dying = NULL, *queued[kQueued];
  /* The worker is held until all is queued: its death must not break the
   * pool before the last submission (ThreadSanitizer slows that much). */
  const char *go_name = NULL;
  mproc_event_t *go = new_named_event(&go_name);
  mproc_future_t *held = submit_wait_for(pool, go_name);
  char c = 'K';
  assert_mproc_ok(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &dying));
  c = 'a';
  for (int i = 0; i < kQueued; ++i)
    assert_mproc_ok(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &queued[i]));
  assert_mproc_ok(mproc_event_set(go));
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_future_result(held, &m, 60000));
  mproc_msg_free(m);
  mproc_future_free(held);
  assert_mproc_ok(mproc_unlink(go_name));
  mproc_event_free(go);
  assert_mproc_code(mproc_future_result(dying, &m, 60000), MPROC_EWORKER);
  for (int i = 0; i < kQueued; ++i) {
    assert_mproc_code(mproc_future_result(queued[i], &m, 60000), MPROC_EBROKEN);
    assert_non_null(strstr(mproc_last_error(), "could not be replaced"));
    mproc_future_free(queued[i]);
  }
  mproc_future_free(dying);
  mproc_future_t *late = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &late),
                    MPROC_EBROKEN);
  assert_non_null(strstr(mproc_last_error(), "injected fault"));
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  size_t n = 9;
  assert_mproc_ok(mproc_pool_worker_pids(pool, NULL, 0, &n));
  assert_int_equal(n, 0);
  mproc_pool_free(pool);
}

/* pool-notice:1. The notice of a worker's death is lost on its way to the
 * collector; the death is noticed all the same: its task fails with
 * EWORKER and the worker is replaced. */
static void scenario_an_exit_notice_is_lost(void **state) {
  (void)state;
  mproc_pool_t *pool = new_pool(1, 0);
  int64_t first = 0, now = 0;
  size_t n = 0;
  assert_mproc_ok(mproc_pool_worker_pids(pool, &first, 1, &n));
  char c = 'K';
  mproc_future_t *dying = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &dying));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(dying, &m, 60000), MPROC_EWORKER);
  assert_non_null(strstr(mproc_last_error(), "SIGKILL"));
  mproc_future_free(dying);
  /* One worker slot: this runs only if the dead worker was replaced. */
  mproc_future_t *f = submit_i64(pool, "square", 12, NULL);
  assert_int_equal(result_i64(f), 144);
  mproc_future_free(f);
  assert_mproc_ok(mproc_pool_worker_pids(pool, &now, 1, &n));
  assert_int_equal(n, 1);
  assert_int_not_equal(now, first);
  finish(pool);
}

/* pool-settle:1. While a dead worker's repair is held up (at a gate this
 * test opens), the pool goes on: another task runs on the other worker and
 * its result arrives. Then the repair ends as usual. */
static void scenario_the_pool_works_on_while_a_dead_worker_is_settled(void **state) {
  (void)state;
  int gate[2];
  assert_int_equal(test_pipe(gate), 0);
  char number[16];
  snprintf(number, sizeof number, "%d", gate[0]);
  /* Before the first pool: the plan, gate included, is read then. */
  assert_int_equal(test_setenv("MPROC_TEST_FAULT_GATE", number), 0);
  mproc_pool_t *pool = new_pool(2, 0);
  char c = 'K';
  mproc_future_t *dying = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "maybe_die", &c, 1, NULL, &dying));
  /* The pool has seen the death once the worker is no longer listed. */
  size_t n = 2;
  int64_t t0 = test_now_ms();
  while (n != 1 && test_now_ms() - t0 < 60000) {
    assert_mproc_ok(mproc_pool_worker_pids(pool, NULL, 0, &n));
    if (n != 1) sched_yield();
  }
  assert_int_equal(n, 1);
  /* The repair is held: a task submitted now still gets its result. */
  mproc_future_t *f = submit_i64(pool, "square", 9, NULL);
  assert_int_equal(result_i64(f), 81);
  mproc_future_free(f);
  int ready = 1;
  assert_mproc_ok(mproc_future_ready(dying, &ready));
  assert_int_equal(ready, 0); /* the repair had not ended meanwhile */
  assert_int_equal(write(gate[1], "go", 2), 2);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_future_result(dying, &m, 60000), MPROC_EWORKER);
  mproc_future_free(dying);
  /* Its unit fails once the replacement is in place. */
  assert_mproc_ok(mproc_pool_worker_pids(pool, NULL, 0, &n));
  assert_int_equal(n, 2);
  finish(pool);
  close(gate[0]);
  close(gate[1]);
}

static void a_worker_start_that_fails_fails_the_pool_cleanly(void **state) {
  (void)state;
  run_fault_scenario("start", "pool-start:2");
}

static void a_replacement_that_fails_breaks_the_pool(void **state) {
  (void)state;
  run_fault_scenario("replace", "pool-replace:1");
}

static void a_lost_exit_notice_still_fails_the_task_and_replaces_the_worker(void **state) {
  (void)state;
  run_fault_scenario("notice", "pool-notice:1");
}

static void pool_calls_go_on_while_a_dead_worker_is_settled(void **state) {
  (void)state;
  run_fault_scenario("settle", "pool-settle:1");
}

static int run_scenario_named(const char *name) {
  const struct {
    const char *name;
    struct CMUnitTest test;
  } scenarios[] = {
      {"start", cmocka_unit_test(scenario_a_worker_start_fails)},
      {"replace", cmocka_unit_test(scenario_a_replacement_fails)},
      {"notice", cmocka_unit_test(scenario_an_exit_notice_is_lost)},
      {"settle", cmocka_unit_test(scenario_the_pool_works_on_while_a_dead_worker_is_settled)},
  };
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; ++i) {
    if (strcmp(scenarios[i].name, name) != 0) continue;
    const struct CMUnitTest tests[] = {scenarios[i].test};
    int failed = cmocka_run_group_tests_name(name, tests, NULL, NULL);
    /* A failure must not wait at exit for the pool it left behind. */
    fflush(NULL);
    if (failed != 0) _exit(failed);
    return 0;
  }
  fprintf(stderr, "no fault scenario named %s\n", name);
  return 2;
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  self_method = method;
  if (argc > 3 && strcmp(argv[2], "--fault") == 0) return run_scenario_named(argv[3]);
  test_self_path(self_path, sizeof self_path);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_pool_of_five_runs_seven_tasks),
      cmocka_unit_test(map_over_a_hundred_thousand_inputs_keeps_order),
      cmocka_unit_test(imap_and_imap_unordered_deliver_every_result_once),
      cmocka_unit_test(errors_arrive_with_their_messages),
      cmocka_unit_test(result_view_reads_the_output_in_place),
      cmocka_unit_test(completions_gather_outcomes_by_tag),
      cmocka_unit_test(a_task_code_outside_the_table_arrives_as_etask),
      cmocka_unit_test(a_task_of_the_other_kind_is_a_type_error),
      cmocka_unit_test(a_map_past_its_options_timeout_times_out),
      cmocka_unit_test(a_task_that_kills_its_worker_fails_alone),
      cmocka_unit_test(maxtasksperchild_replaces_workers),
      cmocka_unit_test(terminate_fails_ten_thousand_pending_tasks_promptly),
      cmocka_unit_test(a_task_past_its_timeout_fails_alone),
      cmocka_unit_test(close_and_join_with_one_task_per_child_does_not_hang),
      cmocka_unit_test(join_needs_close_or_terminate),
      cmocka_unit_test(the_initializer_runs_in_every_worker),
      cmocka_unit_test(a_failing_initializer_breaks_the_pool_once),
      cmocka_unit_test(callbacks_run_and_may_submit_more),
      cmocka_unit_test(unregistered_functions_run_only_in_fork_pools),
      cmocka_unit_test(a_pool_runs_on_the_backend_it_is_given),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(a_task_timeout_of_int64_max_never_expires),
      cmocka_unit_test(a_worker_start_that_fails_fails_the_pool_cleanly),
      cmocka_unit_test(a_replacement_that_fails_breaks_the_pool),
      cmocka_unit_test(a_lost_exit_notice_still_fails_the_task_and_replaces_the_worker),
      cmocka_unit_test(pool_calls_go_on_while_a_dead_worker_is_settled),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
