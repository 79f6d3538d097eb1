/* Queues: the tutorial's producer/consumer, exactly-once delivery of a
 * million messages, bounds, timeouts, close, task_done/join, message
 * sizes, corruption, and a fault test that SIGKILLs producers and
 * consumers at random moments. argv[1] picks the start method. */
#include "harness.h"
#include "named_shm.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#ifndef _WIN32
#include <sys/mman.h>
#endif

/* ---- Helpers ------------------------------------------------------------ */

static mproc_queue_t *new_queue(size_t maxsize, size_t capacity) {
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_ok(mproc_queue_opts_set_maxsize(opts, maxsize));
  if (capacity > 0) assert_mproc_ok(mproc_queue_opts_set_capacity(opts, capacity));
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, opts));
  mproc_queue_opts_free(opts);
  return q;
}

static mproc_process_t *start_with(const char *task, mproc_queue_t *q, mproc_shm_t *shm,
                                   int64_t number) {
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_queue(a, q));
  if (shm != NULL) assert_mproc_ok(mproc_args_add_shm(a, shm));
  assert_mproc_ok(mproc_args_add_i64(a, number));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, task, a, NULL));
  assert_mproc_ok(mproc_process_start(p));
  return p;
}

static int join_code(mproc_process_t *p) {
  int code = -1000;
  assert_mproc_ok(mproc_process_join(p, 120000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  mproc_process_free(p);
  return code;
}

/* Reads the queue (arg 0), shared block (arg 1, may be absent) and the
 * number (last arg) a task was started with. */
static int task_args(const mproc_args_t *args, mproc_queue_t **q, mproc_shm_t **shm,
                     int64_t *number) {
  if (mproc_args_get_queue(args, 0, q) != 0) return -1;
  size_t n = test_args_count(args);
  if (shm != NULL && mproc_args_get_shm(args, 1, shm) != 0) return -1;
  return mproc_args_get_i64(args, n - 1, number);
}

/* ---- The tutorial's producer and consumer -------------------------------- */

MPROC_TASK(tutorial_producer) {
  mproc_queue_t *q = NULL;
  int64_t unused;
  if (task_args(args, &q, NULL, &unused) != 0) return 100;
  for (int i = 0; i < 5; ++i) {
    char item[32];
    int n = snprintf(item, sizeof item, "item %d", i);
    if (mproc_queue_put(q, item, (size_t)n, MPROC_FOREVER) != 0) return 101;
  }
  mproc_queue_put(q, "", 0, MPROC_FOREVER); /* the sentinel */
  mproc_queue_free(q);
  return 0;
}

/* Exits with the number of items seen before the sentinel, in order. */
MPROC_TASK(tutorial_consumer) {
  mproc_queue_t *q = NULL;
  int64_t unused;
  if (task_args(args, &q, NULL, &unused) != 0) return 100;
  int seen = 0;
  for (;;) {
    char item[32];
    size_t len = 0;
    if (mproc_queue_get_into(q, item, sizeof item - 1, &len, 60000) != 0) return 101;
    if (len == 0) break;
    item[len] = '\0';
    char want[32];
    snprintf(want, sizeof want, "item %d", seen);
    if (strcmp(item, want) != 0) return 102;
    ++seen;
  }
  mproc_queue_free(q);
  return seen;
}

static void producer_and_consumer_with_a_sentinel(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(0, 0);
  mproc_process_t *consumer = start_with("tutorial_consumer", q, NULL, 0);
  mproc_process_t *producer = start_with("tutorial_producer", q, NULL, 0);
  assert_int_equal(join_code(producer), 0);
  assert_int_equal(join_code(consumer), 5);
  int empty = 0;
  assert_mproc_ok(mproc_queue_empty(q, &empty));
  assert_int_equal(empty, 1);
  mproc_queue_free(q);
}

/* ---- A million messages, exactly once ------------------------------------ */

enum { kMillion = 1000000, kProducers = 2, kConsumers = 2 };

struct numbered {
  uint32_t producer;
  uint32_t seq;
  uint32_t check;
};

static uint32_t check_of(uint32_t producer, uint32_t seq) {
  return (producer * 2654435761u) ^ (seq * 40503u) ^ 0x5bd1e995u;
}

MPROC_TASK(million_producer) {
  mproc_queue_t *q = NULL;
  int64_t id;
  if (task_args(args, &q, NULL, &id) != 0) return 100;
  uint32_t per = kMillion / kProducers;
  for (uint32_t s = 0; s < per; ++s) {
    struct numbered m = {(uint32_t)id, s, check_of((uint32_t)id, s)};
    if (mproc_queue_put(q, &m, sizeof m, MPROC_FOREVER) != 0) return 101;
  }
  mproc_queue_free(q);
  return 0;
}

/* Marks every message in the shared tally; exits 0 when the queue closes. */
MPROC_TASK(million_consumer) {
  mproc_queue_t *q = NULL;
  mproc_shm_t *shm = NULL;
  int64_t unused;
  if (task_args(args, &q, &shm, &unused) != 0) return 100;
  atomic_uchar *tally = test_shm_data(shm);
  for (;;) {
    struct numbered m;
    size_t len = 0;
    int rc = mproc_queue_get_into(q, &m, sizeof m, &len, MPROC_FOREVER);
    if (rc == MPROC_ECLOSED) break;
    if (rc != 0 || len != sizeof m) return 101;
    if (m.producer >= kProducers || m.seq >= kMillion / kProducers ||
        m.check != check_of(m.producer, m.seq))
      return 102;
    atomic_fetch_add(&tally[m.producer * (kMillion / kProducers) + m.seq], 1);
  }
  mproc_queue_free(q);
  mproc_shm_free(shm);
  return 0;
}

static void a_million_messages_arrive_exactly_once(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(10000, 0);
  mproc_shm_t *tally = NULL;
  assert_mproc_ok(mproc_shm_new(&tally, kMillion, NULL));
  mproc_process_t *consumers[kConsumers], *producers[kProducers];
  for (int i = 0; i < kConsumers; ++i)
    consumers[i] = start_with("million_consumer", q, tally, 0);
  for (int i = 0; i < kProducers; ++i) producers[i] = start_with("million_producer", q, NULL, i);
  for (int i = 0; i < kProducers; ++i) assert_int_equal(join_code(producers[i]), 0);
  assert_mproc_ok(mproc_queue_close(q)); /* consumers drain, then stop */
  for (int i = 0; i < kConsumers; ++i) assert_int_equal(join_code(consumers[i]), 0);
  const unsigned char *t = test_shm_data(tally);
  size_t missing = 0, doubled = 0;
  for (size_t i = 0; i < kMillion; ++i) {
    missing += t[i] == 0;
    doubled += t[i] > 1;
  }
  assert_int_equal(missing, 0);
  assert_int_equal(doubled, 0);
  mproc_shm_free(tally);
  mproc_queue_free(q);
}

/* ---- Bounds, timeouts, close, join -------------------------------------- */

/* Waits for the event in the shared block's first byte to say go, then
 * takes `number` items and marks each done. */
MPROC_TASK(take_and_mark_done) {
  mproc_queue_t *q = NULL;
  int64_t count;
  if (task_args(args, &q, NULL, &count) != 0) return 100;
  for (int64_t i = 0; i < count; ++i) {
    mproc_msg_t *m = NULL;
    if (mproc_queue_get(q, &m, 60000) != 0) return 101;
    mproc_msg_free(m);
    if (mproc_queue_task_done(q) != 0) return 102;
  }
  mproc_queue_free(q);
  return 0;
}

/* Blocks in a get on an empty queue; exits 0 if a close woke it. */
MPROC_TASK(get_until_closed) {
  mproc_queue_t *q = NULL;
  int64_t unused;
  if (task_args(args, &q, NULL, &unused) != 0) return 100;
  mproc_msg_t *m = NULL;
  int rc = mproc_queue_get(q, &m, 60000);
  mproc_queue_free(q);
  return rc == MPROC_ECLOSED ? 0 : 1;
}

/* Blocks in a put on a full queue; exits 0 if a close woke it. */
MPROC_TASK(put_until_closed) {
  mproc_queue_t *q = NULL;
  int64_t unused;
  if (task_args(args, &q, NULL, &unused) != 0) return 100;
  int rc = mproc_queue_put(q, "x", 1, 60000);
  mproc_queue_free(q);
  return rc == MPROC_ECLOSED ? 0 : 1;
}

static void a_bounded_queue_blocks_at_maxsize_and_resumes(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(3, 0);
  for (int i = 0; i < 3; ++i) assert_mproc_ok(mproc_queue_put(q, "x", 1, 0));
  int full = 0;
  assert_mproc_ok(mproc_queue_full(q, &full));
  assert_int_equal(full, 1);
  size_t n = 0;
  assert_mproc_ok(mproc_queue_qsize(q, &n));
  assert_int_equal(n, 3);
  assert_mproc_code(mproc_queue_put(q, "x", 1, 0), MPROC_EFULL);
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_queue_put(q, "x", 1, 200), MPROC_EFULL);
  assert_true(test_now_ms() - t0 >= 190);
  /* A consumer in another process makes room: a blocked put goes on. */
  mproc_process_t *p = start_with("take_and_mark_done", q, NULL, 2);
  assert_mproc_ok(mproc_queue_put(q, "y", 1, 60000));
  assert_mproc_ok(mproc_queue_put(q, "z", 1, 60000));
  assert_int_equal(join_code(p), 0);
  assert_mproc_ok(mproc_queue_qsize(q, &n));
  assert_int_equal(n, 3);
  mproc_queue_free(q);
}

static void get_times_out_on_an_empty_queue(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(0, 0);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_queue_get(q, &m, 0), MPROC_EEMPTY);
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_queue_get(q, &m, 200), MPROC_EEMPTY);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190 && waited < 5000);
  assert_null(m);
  mproc_queue_free(q);
}

static void close_drains_then_refuses_and_wakes_everyone(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(0, 0);
  mproc_process_t *getter = start_with("get_until_closed", q, NULL, 0);
  mproc_queue_t *small = new_queue(1, 0);
  assert_mproc_ok(mproc_queue_put(small, "x", 1, 0));
  mproc_process_t *putter = start_with("put_until_closed", small, NULL, 0);
  /* Both children are (or soon will be) blocked; closing wakes them. */
  assert_mproc_ok(mproc_queue_close(q));
  assert_mproc_ok(mproc_queue_close(small));
  assert_int_equal(join_code(getter), 0);
  assert_int_equal(join_code(putter), 0);

  mproc_queue_t *r = new_queue(0, 0);
  assert_mproc_ok(mproc_queue_put(r, "a", 1, 0));
  assert_mproc_ok(mproc_queue_put(r, "b", 1, 0));
  assert_mproc_ok(mproc_queue_close(r));
  assert_mproc_ok(mproc_queue_close(r)); /* twice: harmless */
  int closed = 0;
  assert_mproc_ok(mproc_queue_is_closed(r, &closed));
  assert_int_equal(closed, 1);
  assert_mproc_code(mproc_queue_put(r, "c", 1, 0), MPROC_ECLOSED);
  char c;
  size_t len;
  assert_mproc_ok(mproc_queue_get_into(r, &c, 1, &len, 0));
  assert_int_equal(c, 'a');
  assert_mproc_ok(mproc_queue_get_into(r, &c, 1, &len, MPROC_FOREVER));
  assert_int_equal(c, 'b');
  assert_mproc_code(mproc_queue_get_into(r, &c, 1, &len, MPROC_FOREVER), MPROC_ECLOSED);
  mproc_queue_free(q);
  mproc_queue_free(small);
  mproc_queue_free(r);
}

static void task_done_and_join_across_processes(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(0, 0);
  assert_mproc_code(mproc_queue_task_done(q), MPROC_ESTATE); /* nothing taken */
  assert_mproc_ok(mproc_queue_join(q, 0));                    /* nothing put */
  for (int i = 0; i < 3; ++i) assert_mproc_ok(mproc_queue_put(q, "job", 3, 0));
  assert_mproc_code(mproc_queue_join(q, 100), MPROC_ETIMEDOUT);
  mproc_process_t *worker = start_with("take_and_mark_done", q, NULL, 3);
  assert_mproc_ok(mproc_queue_join(q, 60000));
  assert_int_equal(join_code(worker), 0);
  assert_mproc_code(mproc_queue_task_done(q), MPROC_ESTATE);
  assert_non_null(strstr(mproc_last_error(), "more times"));
  /* Taken but not yet done: join waits for the task_done. */
  assert_mproc_ok(mproc_queue_put(q, "one", 3, 0));
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 0));
  mproc_msg_free(m);
  assert_mproc_code(mproc_queue_join(q, 50), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_queue_task_done(q));
  assert_mproc_ok(mproc_queue_join(q, 0));
  mproc_queue_free(q);
}

static void messages_of_zero_one_and_the_largest_size(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(0, 64 * 1024);
  size_t cap = 0, max = 0;
  assert_mproc_ok(mproc_queue_capacity(q, &cap));
  assert_int_equal(cap, 64 * 1024);
  assert_mproc_ok(mproc_queue_max_message(q, &max));
  assert_true(max > 30000 && max < 32768);
  unsigned char *big = malloc(max + 1);
  for (size_t i = 0; i <= max; ++i) big[i] = (unsigned char)(i * 13);
  assert_mproc_code(mproc_queue_put(q, big, max + 1, 0), MPROC_ETOOBIG);
  assert_non_null(strstr(mproc_last_error(), "limit"));
  /* Many rounds, so that records wrap around the ring's end. */
  for (int round = 0; round < 20; ++round) {
    assert_mproc_ok(mproc_queue_put(q, "", 0, 0));
    assert_mproc_ok(mproc_queue_put(q, "1", 1, 0));
    assert_mproc_ok(mproc_queue_put(q, big, max, 1000));
    mproc_msg_t *m = NULL;
    assert_mproc_ok(mproc_queue_get(q, &m, 0));
    assert_int_equal(test_msg_size(m), 0);
    mproc_msg_free(m);
    assert_mproc_ok(mproc_queue_get(q, &m, 0));
    assert_int_equal(test_msg_size(m), 1);
    assert_memory_equal(test_msg_data(m), "1", 1);
    mproc_msg_free(m);
    size_t len = 0;
    unsigned char small[16];
    assert_mproc_code(mproc_queue_get_into(q, small, sizeof small, &len, 0), MPROC_ETOOBIG);
    assert_int_equal(len, max);
    assert_mproc_ok(mproc_queue_get(q, &m, 0));
    assert_int_equal(test_msg_size(m), max);
    assert_memory_equal(test_msg_data(m), big, max);
    mproc_msg_free(m);
  }
  free(big);
  mproc_queue_free(q);
}

/* The one rule for cap 0 (mproc/common.h, "Buffers"), as for connections:
 * with buf NULL it asks the next message's size and takes nothing; an
 * empty message fits and is taken; buf NULL with room is EINVAL. */
static void cap_zero_asks_for_the_size(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  assert_mproc_ok(mproc_queue_put(q, "hello", 5, 0));
  assert_mproc_ok(mproc_queue_put(q, "", 0, 0));
  size_t len = 0, n = 0;
  for (int i = 0; i < 2; ++i) {
    assert_mproc_code(mproc_queue_get_into(q, NULL, 0, &len, 0), MPROC_ETOOBIG);
    assert_int_equal(len, 5);
  }
  assert_mproc_ok(mproc_queue_qsize(q, &n));
  assert_int_equal(n, 2);
  assert_mproc_code(mproc_queue_get_into(q, NULL, 5, &len, 0), MPROC_EINVAL);
  char buf[5];
  assert_mproc_ok(mproc_queue_get_into(q, buf, len, &len, 0));
  assert_memory_equal(buf, "hello", 5);
  len = 99;
  assert_mproc_ok(mproc_queue_get_into(q, NULL, 0, &len, 0));
  assert_int_equal(len, 0);
  assert_mproc_code(mproc_queue_get_into(q, NULL, 0, &len, 0), MPROC_EEMPTY);
  mproc_queue_free(q);
}

enum { kThreadMessages = 20000, kQueueThreads = 4 };
struct thread_job {
  mproc_queue_t *q;
  int id;
  atomic_int *seen;
};
static void *produce(void *arg) {
  struct thread_job *j = arg;
  for (int i = 0; i < kThreadMessages; ++i) {
    int v = j->id * kThreadMessages + i;
    if (mproc_queue_put(j->q, &v, sizeof v, 30000) != 0) return (void *)1;
  }
  return NULL;
}
static void *consume(void *arg) {
  struct thread_job *j = arg;
  for (;;) {
    int v;
    size_t len;
    int rc = mproc_queue_get_into(j->q, &v, sizeof v, &len, 30000);
    if (rc == MPROC_ECLOSED) return NULL;
    if (rc != 0 || v < 0 || v >= kThreadMessages * kQueueThreads) return (void *)1;
    atomic_fetch_add(&j->seen[v], 1);
  }
}

static void threads_share_a_queue(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(100, 0);
  atomic_int *seen = calloc(kThreadMessages * kQueueThreads, sizeof *seen);
  pthread_t p[kQueueThreads], c[kQueueThreads];
  struct thread_job jobs[kQueueThreads];
  for (int i = 0; i < kQueueThreads; ++i) {
    jobs[i] = (struct thread_job){q, i, seen};
    pthread_create(&c[i], NULL, consume, &jobs[i]);
    pthread_create(&p[i], NULL, produce, &jobs[i]);
  }
  void *rc;
  for (int i = 0; i < kQueueThreads; ++i) {
    pthread_join(p[i], &rc);
    assert_null(rc);
  }
  assert_mproc_ok(mproc_queue_close(q));
  for (int i = 0; i < kQueueThreads; ++i) {
    pthread_join(c[i], &rc);
    assert_null(rc);
  }
  for (int i = 0; i < kThreadMessages * kQueueThreads; ++i) assert_int_equal(seen[i], 1);
  free(seen);
  mproc_queue_free(q);
}

MPROC_TASK(open_and_get) {
  const char *name = NULL;
  if (mproc_args_get_str(args, 0, &name) != 0) return 100;
  mproc_queue_t *q = NULL;
  if (mproc_queue_open(&q, name) != 0) return 101;
  char buf[16] = "";
  size_t len = 0;
  int rc = mproc_queue_get_into(q, buf, sizeof buf - 1, &len, 60000);
  mproc_queue_free(q);
  return rc == 0 && strcmp(buf, "by name") == 0 ? 0 : 102;
}

static void a_named_queue_opens_from_another_process(void **state) {
  (void)state;
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_ok(mproc_queue_opts_set_named(opts, 1));
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, opts));
  mproc_queue_opts_free(opts);
  char name[64];
  const char *q_name = NULL;
  assert_mproc_ok(mproc_queue_name(q, &q_name));
  snprintf(name, sizeof name, "%s", q_name);
  assert_true(strncmp(name, "mproc-", 6) == 0);
  assert_mproc_ok(mproc_queue_put(q, "by name", 7, 0));
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_str(a, name));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "open_and_get", a, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_int_equal(join_code(p), 0);
  mproc_lock_t *lock = NULL;
  assert_mproc_code(mproc_lock_open(&lock, name), MPROC_ETYPE);
  assert_mproc_ok(mproc_unlink(name));
  mproc_queue_free(q);
}

/* A child that tries to shrink the memory behind a queue it was handed
 * (every memfd it holds that is an mproc object): the seals refuse, and
 * its puts go on. Returns how many it could shrink (must be 0), or 100+. */
MPROC_TASK(shrink_then_put) {
#ifdef _WIN32
  (void)args;
  return 102; /* the test skips on Windows */
#else
  mproc_queue_t *q = NULL;
  if (mproc_args_get_queue(args, 0, &q) != 0) return 100;
  int tried = 0, shrunk = 0;
  for (int fd = 0; fd < 1024; ++fd) {
    char link[64], target[256];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    if (strncmp(target, "/memfd:mproc", 12) != 0) continue;
    ++tried;
    if (ftruncate(fd, 4096) == 0) ++shrunk;
    else if (errno != EPERM) return 101;
  }
  if (tried == 0) return 102;
  for (int i = 0; i < 100; ++i)
    if (mproc_queue_put(q, "still here", 10, 1000) != 0) return 103;
  mproc_queue_free(q);
  return shrunk;
#endif
}

static void a_peer_cannot_shrink_a_queue_under_the_others(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("tries to shrink memfds through /proc/self/fd; a Windows section "
                    "cannot be resized once created");
#endif
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_ok(mproc_args_add_queue(a, q));
  assert_int_equal(test_run_task("shrink_then_put", a), 0);
  char buf[16];
  for (int i = 0; i < 100; ++i) {
    size_t len = 0;
    assert_mproc_ok(mproc_queue_get_into(q, buf, sizeof buf, &len, 1000));
    assert_memory_equal(buf, "still here", 10);
  }
  assert_mproc_ok(mproc_queue_put(q, "and here", 8, 0));
  mproc_queue_free(q);
}


static void corrupt_shared_state_is_reported_not_fatal(void **state) {
  (void)state;
  char name[64];
  snprintf(name, sizeof name, "mproc-test-corrupt-%lld", (long long)mproc_getpid());
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_ok(mproc_queue_opts_set_name(opts, name));
  assert_mproc_ok(mproc_queue_opts_set_capacity(opts, 64 * 1024));
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, opts));
  mproc_queue_opts_free(opts);
  assert_mproc_ok(mproc_queue_put(q, "hello", 5, 0));
  size_t size = 0;
  unsigned char *raw = map_named(name, &size);
  long page = page_bytes();
  /* The first record's header, at the start of the ring (page 1). */
  memset(raw + page, 0xff, 8);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_queue_get(q, &m, 0), MPROC_ECORRUPT);
  assert_non_null(strstr(mproc_last_error(), "corrupt"));
  /* Every word of the state page past its header: positions, counters,
   * locks. */
  memset(raw + 64, 0xff, (size_t)page - 64);
  int rc = mproc_queue_get(q, &m, 0);
  assert_true(rc == MPROC_ECORRUPT || rc == MPROC_ECLOSED);
  rc = mproc_queue_put(q, "x", 1, 0);
  assert_true(rc == MPROC_ECORRUPT || rc == MPROC_ECLOSED);
  /* A fresh open checks the geometry. */
  memset(raw + 64, 0x7f, 8);
  mproc_queue_t *again = NULL;
  assert_mproc_code(mproc_queue_open(&again, name), MPROC_ECORRUPT);
  unmap_named(raw, size);
  assert_mproc_ok(mproc_unlink(name));
  mproc_queue_free(q);
}

static void bad_arguments(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_code(mproc_queue_new(NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_queue_put(NULL, "x", 1, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_queue_get(NULL, NULL, 0), MPROC_EINVAL);
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_code(mproc_queue_opts_set_capacity(opts, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_queue_opts_set_name(opts, "bad/name"), MPROC_EINVAL);
  mproc_queue_opts_free(opts);
  q = new_queue(0, 0);
  assert_mproc_code(mproc_queue_put(q, NULL, 1, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_queue_get(q, NULL, 0), MPROC_EINVAL);
  char buf[1];
  assert_mproc_code(mproc_queue_get_into(q, buf, 1, NULL, 0), MPROC_EINVAL);
  size_t capacity = 0;
  assert_mproc_ok(mproc_queue_capacity(q, &capacity));
  assert_int_equal(capacity, MPROC_QUEUE_DEFAULT_CAPACITY);
  mproc_queue_free(q);
  mproc_queue_free(NULL);
  mproc_queue_opts_free(NULL);
}

/* The largest ring (4 GiB of address space, not of memory) works; one byte
 * more is refused rather than corrupting 32-bit record sizes. */
static void capacity_is_limited_to_four_gib(void **state) {
  (void)state;
  if (sizeof(size_t) < 8) test_skip_because("a 4 GiB ring needs a 64-bit address space");
  const size_t four_gib = (size_t)1 << 32;
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_code(mproc_queue_opts_set_capacity(opts, four_gib + 1), MPROC_EINVAL);
  mproc_queue_opts_free(opts);
  mproc_queue_t *q = new_queue(0, four_gib);
  size_t capacity = 0, max_message = 0;
  assert_mproc_ok(mproc_queue_capacity(q, &capacity));
  assert_true(capacity == four_gib);
  assert_mproc_ok(mproc_queue_max_message(q, &max_message));
  assert_true(max_message < four_gib / 2);
  const size_t len = 1 << 20;
  unsigned char *out = malloc(len);
  assert_non_null(out);
  for (size_t i = 0; i < len; ++i) out[i] = (unsigned char)(i * 7);
  assert_mproc_ok(mproc_queue_put(q, out, len, 0));
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 0));
  assert_true(test_msg_size(m) == len);
  assert_memory_equal(test_msg_data(m), out, len);
  mproc_msg_free(m);
  free(out);
  mproc_queue_free(q);
}

/* ---- Killing producers and consumers at random moments -------------------- */

enum {
  kCycles = 200,
  kMaxInstances = kCycles + 8,
  kMaxSeq = 1 << 16,
  kMaxPayload = 3000,
};

/* A fault-test message: who sent it, its number, a checksum over the rest. */
struct fault_msg {
  uint32_t producer;
  uint32_t seq;
  uint32_t len;
  uint32_t check;
  unsigned char body[kMaxPayload];
};

static uint32_t body_check(const struct fault_msg *m) {
  uint32_t h = 2166136261u ^ m->producer ^ (m->seq << 7) ^ (m->len << 19);
  for (uint32_t i = 0; i < m->len; ++i) h = (h ^ m->body[i]) * 16777619u;
  return h;
}

static int fault_msg_valid(const struct fault_msg *m, size_t len) {
  return len >= offsetof(struct fault_msg, body) && m->len <= kMaxPayload &&
         len == offsetof(struct fault_msg, body) + m->len && m->producer < kMaxInstances &&
         m->seq < kMaxSeq && m->check == body_check(m);
}

/* Shared bookkeeping of the fault test. */
struct fault_books {
  atomic_uchar received[kMaxInstances][kMaxSeq]; /* counted by consumers */
  atomic_int torn;                               /* invalid messages seen */
  /* Each consumer instance gets its message straight into its own slot, so
   * that one killed between taking a message and counting it left the
   * message where the test can find it. */
  struct {
    struct fault_msg msg;
    size_t len;
  } staging[kMaxInstances];
};

MPROC_TASK(fault_producer) {
  mproc_queue_t *q = NULL;
  int64_t id;
  if (task_args(args, &q, NULL, &id) != 0) return 100;
  struct fault_msg m;
  m.producer = (uint32_t)id;
  uint32_t rng = (uint32_t)id * 7919u + 17u;
  for (uint32_t seq = 0; seq < kMaxSeq; ++seq) {
    rng = rng * 1103515245u + 12345u;
    m.seq = seq;
    m.len = (rng >> 8) % kMaxPayload;
    for (uint32_t i = 0; i < m.len; ++i) m.body[i] = (unsigned char)(seq + i * 31);
    m.check = body_check(&m);
    if (mproc_queue_put(q, &m, offsetof(struct fault_msg, body) + m.len, MPROC_FOREVER) != 0)
      return 101;
  }
  test_block_forever(); /* done: wait to be killed like the others */
}

MPROC_TASK(fault_consumer) {
  mproc_queue_t *q = NULL;
  mproc_shm_t *shm = NULL;
  int64_t id;
  if (task_args(args, &q, &shm, &id) != 0) return 100;
  struct fault_books *books = test_shm_data(shm);
  struct fault_msg *slot = &books->staging[id].msg;
  for (;;) {
    size_t len = 0;
    int rc = mproc_queue_get_into(q, slot, sizeof *slot, &len, MPROC_FOREVER);
    if (rc != 0) return 101;
    if (!fault_msg_valid(slot, len)) {
      atomic_fetch_add(&books->torn, 1);
      continue;
    }
    atomic_fetch_add(&books->received[slot->producer][slot->seq], 1);
  }
}

static void killing_producers_and_consumers_loses_and_duplicates_nothing(void **state) {
  (void)state;
  mproc_queue_t *q = new_queue(64, 256 * 1024);
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(struct fault_books), NULL));
  struct fault_books *books = test_shm_data(shm);

  int next_producer = 0, next_consumer = 0;
  mproc_process_t *producers[2], *consumers[2];
  for (int i = 0; i < 2; ++i) {
    producers[i] = start_with("fault_producer", q, NULL, next_producer++);
    consumers[i] = start_with("fault_consumer", q, shm, next_consumer++);
  }
  uint32_t rng = (uint32_t)mproc_getpid();
  int kills[2] = {0, 0};
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    rng = rng * 1103515245u + 12345u;
    /* A random moment: the children run meanwhile. */
    struct timespec pause_for = {0, (long)((rng >> 8) % 3000) * 1000};
    nanosleep(&pause_for, NULL);
    int victim = (int)((rng >> 4) % 2);
    int kill_consumer = (int)((rng >> 12) & 1);
    mproc_process_t **slot = kill_consumer ? &consumers[victim] : &producers[victim];
    assert_mproc_ok(mproc_process_kill(*slot));
    assert_int_equal(join_code(*slot), -SIGKILL);
    kills[kill_consumer]++;
    *slot = kill_consumer ? start_with("fault_consumer", q, shm, next_consumer++)
                          : start_with("fault_producer", q, NULL, next_producer++);
  }
  for (int i = 0; i < 2; ++i) {
    assert_mproc_ok(mproc_process_kill(producers[i]));
    assert_int_equal(join_code(producers[i]), -SIGKILL);
    assert_mproc_ok(mproc_process_kill(consumers[i]));
    assert_int_equal(join_code(consumers[i]), -SIGKILL);
  }
  assert_true(kills[0] > 20 && kills[1] > 20);

  /* The queue still works: drain what is left (a consumer's lock may have
   * died with it; the next taker recovers it). */
  static unsigned char drained[kMaxInstances][kMaxSeq];
  memset(drained, 0, sizeof drained);
  struct fault_msg m;
  size_t len = 0;
  int rc;
  while ((rc = mproc_queue_get_into(q, &m, sizeof m, &len, 0)) == 0) {
    assert_true(fault_msg_valid(&m, len));
    drained[m.producer][m.seq]++;
  }
  assert_mproc_code(rc, MPROC_EEMPTY);
  assert_int_equal(atomic_load(&books->torn), 0);

  /* A staged message counted nowhere was taken by a consumer killed before
   * it could count it: it was delivered, exactly once. */
  for (int c = 0; c < next_consumer; ++c) {
    struct fault_msg *s = &books->staging[c].msg;
    size_t slen = offsetof(struct fault_msg, body) + s->len;
    if (s->len > kMaxPayload || !fault_msg_valid(s, slen)) continue;
    if (atomic_load(&books->received[s->producer][s->seq]) == 0 &&
        drained[s->producer][s->seq] == 0)
      drained[s->producer][s->seq] = 1;
  }
  /* Every producer's messages: 0..n-1 each exactly once, nothing after. */
  long total = 0;
  for (int p = 0; p < next_producer; ++p) {
    int ended = 0;
    for (int s = 0; s < kMaxSeq; ++s) {
      int n = atomic_load(&books->received[p][s]) + drained[p][s];
      if (n > 1) fail_msg("producer %d message %d arrived %d times", p, s, n);
      if (n == 0) ended = 1;
      else if (ended) fail_msg("producer %d message %d arrived after a gap", p, s);
      total += n;
    }
  }
  assert_true(total > 1000);
  /* And it keeps working. */
  assert_mproc_ok(mproc_queue_put(q, "after", 5, 1000));
  char after[8];
  assert_mproc_ok(mproc_queue_get_into(q, after, sizeof after, &len, 1000));
  assert_memory_equal(after, "after", 5);
  mproc_shm_free(shm);
  mproc_queue_free(q);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(producer_and_consumer_with_a_sentinel),
      cmocka_unit_test(cap_zero_asks_for_the_size),
      cmocka_unit_test(a_million_messages_arrive_exactly_once),
      cmocka_unit_test(a_bounded_queue_blocks_at_maxsize_and_resumes),
      cmocka_unit_test(get_times_out_on_an_empty_queue),
      cmocka_unit_test(close_drains_then_refuses_and_wakes_everyone),
      cmocka_unit_test(task_done_and_join_across_processes),
      cmocka_unit_test(messages_of_zero_one_and_the_largest_size),
      cmocka_unit_test(threads_share_a_queue),
      cmocka_unit_test(a_named_queue_opens_from_another_process),
      cmocka_unit_test(a_peer_cannot_shrink_a_queue_under_the_others),
      cmocka_unit_test(corrupt_shared_state_is_reported_not_fatal),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(capacity_is_limited_to_four_gib),
      cmocka_unit_test(killing_producers_and_consumers_loses_and_duplicates_nothing),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
