/* Handles used after their free, freed twice, or of the wrong type: every
 * call fails with MPROC_EINVAL and a message naming the type, without
 * touching freed memory (this suite runs under AddressSanitizer in CI).
 * argv[1] picks the start method (for the lent-handle tests). */
#include "harness.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

/* ---- Helpers ------------------------------------------------------------- */

/* Sets this thread's last error to something other than EINVAL, so that a
 * following call that must report EINVAL without returning a code is seen
 * to do it. */
static void set_other_last_error(void) {
  mproc_args_t *a = NULL;
  mproc_arg_type_t t;
  assert_mproc_ok(mproc_args_new(&a));
  assert_mproc_code(mproc_args_type(a, 7, &t), MPROC_ERANGE);
  mproc_args_free(a);
  assert_int_equal(mproc_last_error_code(), MPROC_ERANGE);
}

/* The last failure was EINVAL about a freed or wrong-type `type`. */
#define assert_bad_handle(type)                                               \
  do {                                                                        \
    assert_int_equal(mproc_last_error_code(), MPROC_EINVAL);                  \
    if (strstr(mproc_last_error(), "freed or is not a " type) == NULL) {      \
      print_error("last error: %s\n", mproc_last_error());                    \
      fail();                                                                 \
    }                                                                         \
  } while (0)

/* `call` fails with EINVAL, saying the handle was freed or not a `type`. */
#define assert_refused(call, type)                                            \
  do {                                                                        \
    assert_mproc_code((call), MPROC_EINVAL);                                  \
    assert_bad_handle(type);                                                  \
  } while (0)

/* A free that must do nothing but note EINVAL. */
#define assert_free_refused(free_call, type)                                  \
  do {                                                                        \
    set_other_last_error();                                                   \
    free_call;                                                                \
    assert_bad_handle(type);                                                  \
  } while (0)

static mproc_msg_t *message_through_a_queue(mproc_queue_t *q, const char *text) {
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_put(q, text, strlen(text), 0));
  assert_mproc_ok(mproc_queue_get(q, &m, 10000));
  return m;
}

MPROC_TASK(handles_noop) { return 0; }

/* ---- Use after free ------------------------------------------------------ */

static void a_freed_message_is_refused(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_msg_t *m = message_through_a_queue(q, "hello");
  assert_int_equal(test_msg_size(m), 5);
  assert_memory_equal(test_msg_data(m), "hello", 5);
  mproc_msg_free(m);

  const void *data = NULL;
  size_t size = 0;
  assert_refused(mproc_msg_data(m, &data), "mproc_msg_t");
  assert_refused(mproc_msg_size(m, &size), "mproc_msg_t");
  assert_free_refused(mproc_msg_free(m), "mproc_msg_t");

  /* The queue and new messages are unaffected. */
  mproc_msg_t *again = message_through_a_queue(q, "again");
  assert_memory_equal(test_msg_data(again), "again", 5);
  mproc_msg_free(again);
  mproc_queue_free(q);
}

static void freed_shared_objects_are_refused(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_queue_free(q);
  mproc_msg_t *m = NULL;
  size_t n = 0;
  assert_refused(mproc_queue_put(q, "x", 1, 0), "mproc_queue_t");
  assert_refused(mproc_queue_get(q, &m, 0), "mproc_queue_t");
  assert_refused(mproc_queue_qsize(q, &n), "mproc_queue_t");
  assert_refused(mproc_queue_close(q), "mproc_queue_t");
  const char *name = NULL;
  assert_refused(mproc_queue_name(q, &name), "mproc_queue_t");

  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  mproc_lock_free(lock);
  assert_refused(mproc_lock_acquire(lock, 0), "mproc_lock_t");
  assert_refused(mproc_lock_release(lock), "mproc_lock_t");
  assert_refused(mproc_lock_name(lock, &name), "mproc_lock_t");

  mproc_rlock_t *rlock = NULL;
  assert_mproc_ok(mproc_rlock_new(&rlock, NULL));
  mproc_rlock_free(rlock);
  assert_refused(mproc_rlock_acquire(rlock, 0), "mproc_rlock_t");

  mproc_sem_t *sem = NULL;
  assert_mproc_ok(mproc_sem_new(&sem, 1, NULL));
  mproc_sem_free(sem);
  assert_refused(mproc_sem_release(sem), "mproc_sem_t");

  mproc_event_t *event = NULL;
  assert_mproc_ok(mproc_event_new(&event, NULL));
  mproc_event_free(event);
  assert_refused(mproc_event_set(event), "mproc_event_t");

  mproc_cond_t *cond = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  mproc_cond_free(cond);
  assert_refused(mproc_cond_notify_all(cond), "mproc_cond_t");

  mproc_barrier_t *barrier = NULL;
  assert_mproc_ok(mproc_barrier_new(&barrier, 1, NULL));
  mproc_barrier_free(barrier);
  assert_refused(mproc_barrier_wait(barrier, 0, NULL), "mproc_barrier_t");

  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_shm_new(&shm, 64, NULL));
  mproc_shm_free(shm);
  void *bytes = NULL;
  assert_refused(mproc_shm_data(shm, &bytes), "mproc_shm_t");
  assert_refused(mproc_shm_size(shm, &n), "mproc_shm_t");
  assert_refused(mproc_shm_name(shm, &name), "mproc_shm_t");
}

static void freed_connections_processes_and_commands_are_refused(void **state) {
  (void)state;
  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  mproc_conn_free(a);
  assert_refused(mproc_conn_send(a, "x", 1, 0), "mproc_conn_t");
  assert_refused(mproc_conn_poll(a, 0), "mproc_conn_t");
  int readable = 0;
  assert_refused(mproc_conn_readable(a, &readable), "mproc_conn_t");
  /* The other end still works: it sees the peer gone. */
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(b, &m, 10000), MPROC_EOF);
  mproc_conn_free(b);

  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "handles_noop", NULL, NULL));
  mproc_process_free(p);
  assert_refused(mproc_process_start(p), "mproc_process_t");
  assert_refused(mproc_process_join(p, 0), "mproc_process_t");

  const char *argv[] = {"true", NULL};
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  mproc_command_free(cmd);
  assert_refused(mproc_command_start(cmd), "mproc_command_t");

  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  mproc_args_free(args);
  assert_refused(mproc_args_add_i64(args, 1), "mproc_args_t");
  size_t count = 0;
  assert_refused(mproc_args_count(args, &count), "mproc_args_t");
  /* A freed list handed to a process is refused, not taken. */
  assert_refused(mproc_process_new(&p, "handles_noop", args, NULL), "mproc_args_t");
}

static void freed_options_are_refused(void **state) {
  (void)state;
  mproc_queue_opts_t *qo = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&qo));
  mproc_queue_opts_free(qo);
  assert_refused(mproc_queue_opts_set_maxsize(qo, 3), "mproc_queue_opts_t");
  mproc_queue_t *q = NULL;
  assert_refused(mproc_queue_new(&q, qo), "mproc_queue_opts_t");

  mproc_shared_opts_t *so = NULL;
  assert_mproc_ok(mproc_shared_opts_new(&so));
  mproc_shared_opts_free(so);
  assert_refused(mproc_shared_opts_set_named(so, 1), "mproc_shared_opts_t");

  mproc_process_opts_t *po = NULL;
  assert_mproc_ok(mproc_process_opts_new(&po));
  mproc_process_opts_free(po);
  assert_refused(mproc_process_opts_set_daemon(po, 1), "mproc_process_opts_t");

  mproc_command_opts_t *co = NULL;
  assert_mproc_ok(mproc_command_opts_new(&co));
  mproc_command_opts_free(co);
  assert_refused(mproc_command_opts_set_cwd(co, "/"), "mproc_command_opts_t");

  mproc_pool_opts_t *plo = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&plo));
  mproc_pool_opts_free(plo);
  assert_refused(mproc_pool_opts_set_processes(plo, 2), "mproc_pool_opts_t");

  mproc_task_opts_t *to = NULL;
  assert_mproc_ok(mproc_task_opts_new(&to));
  mproc_task_opts_free(to);
  assert_refused(mproc_task_opts_set_timeout(to, 5), "mproc_task_opts_t");
}

/* ---- Double free ------------------------------------------------------------ */

static void a_second_free_frees_nothing(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_queue_free(q);
  assert_free_refused(mproc_queue_free(q), "mproc_queue_t");
  assert_true(strstr(mproc_last_error(), "mproc_queue_free") != NULL);

  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  mproc_lock_free(lock);
  assert_free_refused(mproc_lock_free(lock), "mproc_lock_t");

  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  mproc_args_free(args);
  assert_free_refused(mproc_args_free(args), "mproc_args_t");

  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 0));
  mproc_conn_free(a);
  mproc_conn_free(b);
  assert_free_refused(mproc_conn_free(a), "mproc_conn_t");

  mproc_command_opts_t *co = NULL;
  assert_mproc_ok(mproc_command_opts_new(&co));
  mproc_command_opts_free(co);
  assert_free_refused(mproc_command_opts_free(co), "mproc_command_opts_t");

  /* Whatever the double frees did, new handles work. */
  mproc_queue_t *q2 = NULL;
  assert_mproc_ok(mproc_queue_new(&q2, NULL));
  mproc_msg_t *m = message_through_a_queue(q2, "fine");
  mproc_msg_free(m);
  mproc_queue_free(q2);
}

struct racing_free {
  pthread_barrier_t *start;
  mproc_queue_opts_t *opts;
  mproc_msg_t *msg;
  int opts_code; /* this thread's last error code after its free */
  int msg_code;
};

static void *free_at_once(void *arg) {
  struct racing_free *r = arg;
  set_other_last_error();
  pthread_barrier_wait(r->start);
  mproc_queue_opts_free(r->opts);
  r->opts_code = mproc_last_error_code();
  set_other_last_error();
  mproc_msg_free(r->msg);
  r->msg_code = mproc_last_error_code();
  return NULL;
}

/* Threads freeing the same handle together: exactly one frees it. */
static void racing_frees_free_once(void **state) {
  (void)state;
  enum { kThreads = 8, kRounds = 50 };
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  for (int round = 0; round < kRounds; ++round) {
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, kThreads);
    mproc_queue_opts_t *opts = NULL;
    assert_mproc_ok(mproc_queue_opts_new(&opts));
    mproc_msg_t *msg = message_through_a_queue(q, "race");
    struct racing_free r[kThreads];
    pthread_t threads[kThreads];
    for (int i = 0; i < kThreads; ++i) {
      r[i] = (struct racing_free){&start, opts, msg, 0, 0};
      assert_int_equal(pthread_create(&threads[i], NULL, free_at_once, &r[i]), 0);
    }
    int opts_freed = 0, msg_freed = 0;
    for (int i = 0; i < kThreads; ++i) {
      pthread_join(threads[i], NULL);
      /* The one that freed it kept its earlier error; the others EINVAL. */
      assert_true(r[i].opts_code == MPROC_ERANGE || r[i].opts_code == MPROC_EINVAL);
      assert_true(r[i].msg_code == MPROC_ERANGE || r[i].msg_code == MPROC_EINVAL);
      opts_freed += r[i].opts_code == MPROC_ERANGE;
      msg_freed += r[i].msg_code == MPROC_ERANGE;
    }
    assert_int_equal(opts_freed, 1);
    assert_int_equal(msg_freed, 1);
    pthread_barrier_destroy(&start);
  }
  mproc_queue_free(q);
}

/* ---- Wrong type --------------------------------------------------------------- */

static void a_handle_of_another_type_is_refused(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_msg_t *m = message_through_a_queue(q, "typed");

  assert_refused(mproc_queue_put((mproc_queue_t *)(void *)lock, "x", 1, 0), "mproc_queue_t");
  assert_refused(mproc_lock_acquire((mproc_lock_t *)(void *)q, 0), "mproc_lock_t");
  assert_refused(mproc_lock_acquire((mproc_lock_t *)(void *)m, 0), "mproc_lock_t");
  assert_refused(mproc_sem_release((mproc_sem_t *)(void *)lock), "mproc_sem_t");
  const void *data = NULL;
  assert_refused(mproc_msg_data((mproc_msg_t *)(void *)q, &data), "mproc_msg_t");
  assert_refused(mproc_args_count((mproc_args_t *)(void *)q, &(size_t){0}), "mproc_args_t");

  /* Frees through the wrong type free nothing: both still work. */
  assert_free_refused(mproc_queue_free((mproc_queue_t *)(void *)lock), "mproc_queue_t");
  assert_free_refused(mproc_msg_free((mproc_msg_t *)(void *)q), "mproc_msg_t");
  assert_free_refused(mproc_lock_free((mproc_lock_t *)(void *)m), "mproc_lock_t");
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  assert_mproc_ok(mproc_lock_release(lock));
  assert_memory_equal(test_msg_data(m), "typed", 5);
  mproc_msg_t *m2 = message_through_a_queue(q, "still");
  mproc_msg_free(m2);

  mproc_msg_free(m);
  mproc_queue_free(q);
  mproc_lock_free(lock);
}

/* ---- Reuse ------------------------------------------------------------------------ */

static int compare_pointers(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
  return x < y ? -1 : x > y;
}

/* A freed handle stays detected while a thousand more come and go, and
 * the memory is reused after that: churn does not grow it. */
static void a_freed_handle_stays_detected_through_churn(void **state) {
  (void)state;
  enum { kDetected = 1000, kChurn = 20000 };
  mproc_queue_opts_t *stale = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&stale));
  mproc_queue_opts_free(stale);
  for (int i = 0; i < kDetected; ++i) {
    mproc_queue_opts_t *o = NULL;
    assert_mproc_ok(mproc_queue_opts_new(&o));
    assert_ptr_not_equal(o, stale);
    mproc_queue_opts_free(o);
  }
  assert_refused(mproc_queue_opts_set_maxsize(stale, 1), "mproc_queue_opts_t");

  void **seen = calloc(kChurn, sizeof *seen);
  assert_non_null(seen);
  for (int i = 0; i < kChurn; ++i) {
    mproc_queue_opts_t *o = NULL;
    assert_mproc_ok(mproc_queue_opts_new(&o));
    seen[i] = o;
    mproc_queue_opts_free(o);
  }
  qsort(seen, kChurn, sizeof *seen, compare_pointers);
  size_t distinct = 0;
  for (int i = 0; i < kChurn; ++i) distinct += i == 0 || seen[i] != seen[i - 1];
  free(seen);
  assert_true(distinct < 2000);
}

/* ---- Lent handles --------------------------------------------------------------- */

/* A task's argument list is lent: freeing it frees nothing. */
MPROC_TASK(free_own_args) {
  set_other_last_error();
  mproc_args_free((mproc_args_t *)(uintptr_t)args);
  if (mproc_last_error_code() != MPROC_EINVAL) return 10;
  if (strstr(mproc_last_error(), "lent") == NULL) return 11;
  int64_t v = 0;
  if (test_args_count(args) != 1) return 12;
  if (mproc_args_get_i64(args, 0, &v) != 0 || v != 42) return 13;
  return 0;
}

static void a_task_cannot_free_its_arguments(void **state) {
  (void)state;
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 42));
  assert_int_equal(test_run_task("free_own_args", args), 0);
}

MPROC_POOL_TASK(handles_echo) { return mproc_result_set(out, in, len); }

struct callback_report {
  sem_t done;
  int ready_rc;
  int free_code;
};

static void free_the_lent_future(mproc_future_t *f, void *userdata) {
  struct callback_report *r = userdata;
  int ready = 0;
  r->ready_rc = mproc_future_ready(f, &ready);
  set_other_last_error();
  mproc_future_free(f);
  r->free_code = mproc_last_error_code();
  sem_post(&r->done);
}

/* A callback's future is lent too; the caller's own future and freed
 * pools and futures behave as every other handle. */
static void pool_handles_lent_and_freed(void **state) {
  (void)state;
  struct callback_report report = {.ready_rc = -1, .free_code = 0};
  sem_init(&report.done, 0, 0);
  mproc_pool_opts_t *po = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&po));
  assert_mproc_ok(mproc_pool_opts_set_processes(po, 1));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, po));
  mproc_pool_opts_free(po);
  mproc_task_opts_t *to = NULL;
  assert_mproc_ok(mproc_task_opts_new(&to));
  assert_mproc_ok(mproc_task_opts_set_callback(to, free_the_lent_future, &report));
  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "handles_echo", "hi", 2, to, &f));
  mproc_task_opts_free(to);

  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 60;
  assert_int_equal(sem_timedwait(&report.done, &until), 0);
  assert_int_equal(report.ready_rc, 0);
  assert_int_equal(report.free_code, MPROC_EINVAL);

  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_future_result(f, &m, 60000));
  assert_memory_equal(test_msg_data(m), "hi", 2);
  mproc_msg_free(m);
  mproc_future_free(f);
  assert_refused(mproc_future_wait(f, 0), "mproc_future_t");
  assert_free_refused(mproc_future_free(f), "mproc_future_t");

  const void *inputs[] = {"a"};
  size_t lens[] = {1};
  mproc_imap_t *it = NULL;
  assert_mproc_ok(mproc_pool_imap(pool, "handles_echo", inputs, lens, 1, NULL, &it));
  mproc_imap_free(it);
  size_t index = 0;
  assert_refused(mproc_imap_next(it, &index, &m, 0), "mproc_imap_t");

  assert_mproc_ok(mproc_pool_close(pool));
  mproc_pool_free(pool);
  assert_refused(mproc_pool_apply_async(pool, "handles_echo", "x", 1, NULL, &f),
                 "mproc_pool_t");
  assert_free_refused(mproc_pool_free(pool), "mproc_pool_t");
  sem_destroy(&report.done);
}

/* ---- Fork ------------------------------------------------------------------------ */

static int churn_handles(int n) {
  for (int i = 0; i < n; ++i) {
    mproc_queue_opts_t *o = NULL;
    if (mproc_queue_opts_new(&o) != 0) return 1;
    mproc_queue_opts_free(o);
  }
  return 0;
}

MPROC_TASK(churn_in_child) {
  if (churn_handles(3000) != 0) return 20;
  mproc_queue_t *q = NULL;
  if (mproc_queue_new(&q, NULL) != 0) return 21;
  for (int i = 0; i < 100; ++i) {
    mproc_msg_t *m = NULL;
    if (mproc_queue_put(q, "x", 1, 0) != 0 || mproc_queue_get(q, &m, 0) != 0) return 22;
    mproc_msg_free(m);
  }
  mproc_queue_free(q);
  (void)args;
  return 0;
}

static atomic_int churning = 1;

static void *churn_until_told(void *arg) {
  (void)arg;
  while (atomic_load(&churning)) churn_handles(64);
  return NULL;
}

/* A child forked while another thread is inside the handle allocator (it
 * may hold its lock at that moment) still makes and frees handles. */
static void a_child_makes_handles_whatever_the_parent_was_doing(void **state) {
  (void)state;
  enum { kChurners = 2, kForks = 100 };
#if defined(__SANITIZE_ADDRESS__)
  /* GCC 12's AddressSanitizer allocator takes no lock around fork: a fork
   * while the churners allocate can leave its lock held in the child,
   * which then hangs in malloc whatever mproc does. */
  if (mproc_get_start_method() == MPROC_START_FORK) {
    test_skip_because("under fork: AddressSanitizer's allocator is not fork-safe "
                      "while other threads allocate");
  }
#endif
  pthread_t churners[kChurners];
  atomic_store(&churning, 1);
  for (int i = 0; i < kChurners; ++i)
    assert_int_equal(pthread_create(&churners[i], NULL, churn_until_told, NULL), 0);
  for (int i = 0; i < kForks; ++i) {
    mproc_process_t *p = NULL;
    int code = -1;
    assert_mproc_ok(mproc_process_new(&p, "churn_in_child", NULL, NULL));
    assert_mproc_ok(mproc_process_start(p));
    assert_mproc_ok(mproc_process_join(p, 60000));
    assert_mproc_ok(mproc_process_exitcode(p, &code));
    assert_int_equal(code, 0);
    mproc_process_free(p);
  }
  atomic_store(&churning, 0);
  for (int i = 0; i < kChurners; ++i) pthread_join(churners[i], NULL);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_freed_message_is_refused),
      cmocka_unit_test(freed_shared_objects_are_refused),
      cmocka_unit_test(freed_connections_processes_and_commands_are_refused),
      cmocka_unit_test(freed_options_are_refused),
      cmocka_unit_test(a_second_free_frees_nothing),
      cmocka_unit_test(racing_frees_free_once),
      cmocka_unit_test(a_handle_of_another_type_is_refused),
      cmocka_unit_test(a_freed_handle_stays_detected_through_churn),
      cmocka_unit_test(a_task_cannot_free_its_arguments),
      cmocka_unit_test(pool_handles_lent_and_freed),
      cmocka_unit_test(a_child_makes_handles_whatever_the_parent_was_doing),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
