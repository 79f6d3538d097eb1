/* Locks, semaphores, events, conditions, barriers and shared blocks across
 * processes (argv[1] picks the start method) and threads. */
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>

/* ---- Helpers ------------------------------------------------------------ */

static void short_work(void) {
  /* A stretch of "work" inside a critical section, so that processes
   * overlap there: workload, not synchronisation. */
  struct timespec ts = {0, 2 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* Names of mproc's objects in /dev/shm, concatenated (for before/after). */
static void dev_shm_listing(char *out, size_t cap) {
  out[0] = '\0';
  DIR *d = opendir("/dev/shm");
  if (d == NULL) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "mproc", 5) != 0) continue;
    size_t used = strlen(out);
    snprintf(out + used, cap - used, "%s ", e->d_name);
  }
  closedir(d);
}

static mproc_process_t *start(const char *task, mproc_args_t *args) {
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, task, args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  return p;
}

static int join_code(mproc_process_t *p) {
  int code = -1000;
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  mproc_process_free(p);
  return code;
}

static mproc_args_t *new_args(void) {
  mproc_args_t *a = NULL;
  assert_mproc_ok(mproc_args_new(&a));
  return a;
}

/* ---- Tasks -------------------------------------------------------------- */

/* The tutorial's ticket buyer: under the lock, take a ticket if any left.
 * Exit 0 when it bought one, 1 when sold out. */
MPROC_TASK(buy_ticket) {
  mproc_shm_t *shm = NULL;
  if (mproc_args_get_shm(args, 0, &shm) != 0) return 100;
  mproc_lock_t *lock = NULL;
  if (mproc_shm_lock(shm, &lock) != 0) return 101;
  int *stock = test_shm_data(shm);
  int bought = 0;
  if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return 102;
  int left = *stock; /* read, think, write: a race without the lock */
  short_work();
  if (left > 0) {
    *stock = left - 1;
    bought = 1;
  }
  mproc_lock_release(lock);
  mproc_lock_free(lock);
  mproc_shm_free(shm);
  return bought ? 0 : 1;
}

/* Semaphore(2) "rooms": count who is inside and remember the most. */
MPROC_TASK(enter_room) {
  mproc_sem_t *sem = NULL;
  mproc_shm_t *shm = NULL;
  if (mproc_args_get_sem(args, 0, &sem) != 0 || mproc_args_get_shm(args, 1, &shm) != 0)
    return 100;
  atomic_int *inside = test_shm_data(shm);
  atomic_int *most = inside + 1;
  for (int round = 0; round < 10; ++round) {
    if (mproc_sem_acquire(sem, MPROC_FOREVER) != 0) return 101;
    int now = atomic_fetch_add(inside, 1) + 1;
    int seen = atomic_load(most);
    while (now > seen && !atomic_compare_exchange_weak(most, &seen, now)) {
    }
    /* The first to enter stays until a second is in too (at most 10 s),
     * so the test sees two inside however slowly the others start. */
    for (int64_t t0 = test_now_ms(); atomic_load(most) < 2 && test_now_ms() - t0 < 10000;)
      sched_yield();
    short_work();
    atomic_fetch_sub(inside, 1);
    if (mproc_sem_release(sem) != 0) return 102;
  }
  mproc_sem_free(sem);
  mproc_shm_free(shm);
  return 0;
}

/* Takes the lock (arg 0), says so through the event (arg 1), then waits
 * to be killed. */
MPROC_TASK(hold_lock_forever) {
  mproc_lock_t *lock = NULL;
  mproc_event_t *held = NULL;
  if (mproc_args_get_lock(args, 0, &lock) != 0 || mproc_args_get_event(args, 1, &held) != 0)
    return 100;
  if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return 101;
  mproc_event_set(held);
  test_block_forever();
}

MPROC_TASK(hold_rlock_forever) {
  mproc_rlock_t *lock = NULL;
  mproc_event_t *held = NULL;
  if (mproc_args_get_rlock(args, 0, &lock) != 0 || mproc_args_get_event(args, 1, &held) != 0)
    return 100;
  if (mproc_rlock_acquire(lock, MPROC_FOREVER) != 0) return 101;
  if (mproc_rlock_acquire(lock, MPROC_FOREVER) != 0) return 102;
  mproc_event_set(held);
  test_block_forever();
}

/* Waits at the barrier (arg 0) with the timeout in arg 1; exits with its
 * index, or 200 (broken), 201 (timed out). */
MPROC_TASK(at_barrier) {
  mproc_barrier_t *b = NULL;
  int64_t timeout = 0;
  if (mproc_args_get_barrier(args, 0, &b) != 0 || mproc_args_get_i64(args, 1, &timeout) != 0)
    return 100;
  uint32_t index = 0;
  int rc = mproc_barrier_wait(b, timeout, &index);
  mproc_barrier_free(b);
  if (rc == MPROC_EBROKEN) return 200;
  if (rc == MPROC_ETIMEDOUT) return 201;
  return rc == 0 ? (int)index : 202;
}

/* Says it is about to wait (semaphore arg 1), then waits for the event
 * (arg 0). Exit 0 when the event woke it. */
MPROC_TASK(await_event) {
  mproc_event_t *ev = NULL;
  mproc_sem_t *ready = NULL;
  if (mproc_args_get_event(args, 0, &ev) != 0 || mproc_args_get_sem(args, 1, &ready) != 0)
    return 100;
  mproc_sem_release(ready);
  int rc = mproc_event_wait(ev, 60000);
  mproc_event_free(ev);
  mproc_sem_free(ready);
  return rc == 0 ? 0 : 1;
}

/* Waits on the condition (arg 0) until the shared counter (arg 1) reaches
 * the target (arg 2); tells the parent it is waiting (semaphore arg 3). */
MPROC_TASK(await_counter) {
  mproc_cond_t *cond = NULL;
  mproc_shm_t *shm = NULL;
  mproc_sem_t *ready = NULL;
  int64_t target = 0;
  if (mproc_args_get_cond(args, 0, &cond) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &target) != 0 || mproc_args_get_sem(args, 3, &ready) != 0)
    return 100;
  int *counter = test_shm_data(shm);
  if (mproc_cond_acquire(cond, MPROC_FOREVER) != 0) return 101;
  int told = 0;
  while (*counter < target) {
    if (!told) {
      mproc_sem_release(ready);
      told = 1;
    }
    int rc = mproc_cond_wait(cond, 60000);
    if (rc != 0) return 102;
  }
  mproc_cond_release(cond);
  mproc_cond_free(cond);
  mproc_shm_free(shm);
  mproc_sem_free(ready);
  return 0;
}

/* Opens the lock named in arg 0 and reports whether another process holds
 * it (exit 0: it is held). */
MPROC_TASK(probe_named_lock) {
  const char *name = NULL;
  if (mproc_args_get_str(args, 0, &name) != 0) return 100;
  mproc_lock_t *lock = NULL;
  if (mproc_lock_open(&lock, name) != 0) return 101;
  int rc = mproc_lock_try_acquire(lock);
  mproc_lock_free(lock);
  return rc == MPROC_EBUSY ? 0 : 1;
}

/* Fills the shared block (arg 0) with a pattern. */
MPROC_TASK(fill_block) {
  mproc_shm_t *shm = NULL;
  if (mproc_args_get_shm(args, 0, &shm) != 0) return 100;
  unsigned char *p = test_shm_data(shm);
  for (size_t i = 0; i < test_shm_size(shm); ++i) p[i] = (unsigned char)(i * 7 + 3);
  mproc_shm_free(shm);
  return 0;
}

/* ---- Tests -------------------------------------------------------------- */

static void exactly_as_many_buy_as_there_are_tickets(void **state) {
  (void)state;
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(int), NULL));
  *(int *)test_shm_data(shm) = 3;
  mproc_process_t *buyers[10];
  for (int i = 0; i < 10; ++i) {
    mproc_args_t *a = new_args();
    assert_mproc_ok(mproc_args_add_shm(a, shm));
    buyers[i] = start("buy_ticket", a);
  }
  int bought = 0;
  for (int i = 0; i < 10; ++i) {
    int code = join_code(buyers[i]);
    assert_true(code == 0 || code == 1);
    bought += code == 0;
  }
  assert_int_equal(bought, 3);
  assert_int_equal(*(int *)test_shm_data(shm), 0);
  mproc_shm_free(shm);
}

static void a_semaphore_of_two_admits_two_at_most(void **state) {
  (void)state;
  mproc_sem_t *sem = NULL;
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_sem_new(&sem, 2, NULL));
  assert_mproc_ok(mproc_shm_new(&shm, 2 * sizeof(atomic_int), NULL));
  mproc_process_t *ps[5];
  for (int i = 0; i < 5; ++i) {
    mproc_args_t *a = new_args();
    assert_mproc_ok(mproc_args_add_sem(a, sem));
    assert_mproc_ok(mproc_args_add_shm(a, shm));
    ps[i] = start("enter_room", a);
  }
  for (int i = 0; i < 5; ++i) assert_int_equal(join_code(ps[i]), 0);
  atomic_int *counts = test_shm_data(shm);
  assert_int_equal(atomic_load(&counts[0]), 0);
  assert_int_equal(atomic_load(&counts[1]), 2);
  uint32_t value = 0;
  assert_mproc_ok(mproc_sem_value(sem, &value));
  assert_int_equal(value, 2);
  mproc_sem_free(sem);
  mproc_shm_free(shm);
}

static void a_lock_taken_from_a_dead_owner_says_so_and_keeps_working(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_event_t *held = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_event_new(&held, NULL));
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_lock(a, lock));
  assert_mproc_ok(mproc_args_add_event(a, held));
  mproc_process_t *p = start("hold_lock_forever", a);
  assert_mproc_ok(mproc_event_wait(held, 60000));
  /* Held by the child: a timed acquire gives up after about the timeout. */
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_lock_acquire(lock, 200), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190 && waited < 5000);
  assert_mproc_code(mproc_lock_try_acquire(lock), MPROC_EBUSY);
  assert_mproc_code(mproc_lock_release(lock), MPROC_ESTATE);
  assert_mproc_ok(mproc_process_kill(p));
  assert_int_equal(join_code(p), -SIGKILL);
  assert_mproc_code(mproc_lock_acquire(lock, 10000), MPROC_EOWNERDEAD);
  assert_mproc_ok(mproc_lock_release(lock));
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  assert_mproc_ok(mproc_lock_release(lock));
  mproc_lock_free(lock);
  mproc_event_free(held);
}

static void a_waiter_learns_of_the_owner_dying_while_it_waits(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_event_t *held = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_event_new(&held, NULL));
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_lock(a, lock));
  assert_mproc_ok(mproc_args_add_event(a, held));
  mproc_process_t *p = start("hold_lock_forever", a);
  assert_mproc_ok(mproc_event_wait(held, 60000));
  int64_t pid = 0;
  assert_mproc_ok(mproc_process_pid(p, &pid));
  /* Kill it without reaping it first: the waiter must see through the
   * zombie. */
#ifdef _WIN32
  (void)pid;
  assert_mproc_ok(mproc_process_kill(p)); /* Windows keeps no zombies */
#else
  kill((pid_t)pid, SIGKILL);
#endif
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_lock_acquire(lock, 30000), MPROC_EOWNERDEAD);
  assert_true(test_now_ms() - t0 < 10000);
  assert_mproc_ok(mproc_lock_release(lock));
  assert_int_equal(join_code(p), -SIGKILL);
  mproc_lock_free(lock);
  mproc_event_free(held);
}

static void an_rlock_from_a_dead_owner_restarts_at_depth_one(void **state) {
  (void)state;
  mproc_rlock_t *lock = NULL;
  mproc_event_t *held = NULL;
  assert_mproc_ok(mproc_rlock_new(&lock, NULL));
  assert_mproc_ok(mproc_event_new(&held, NULL));
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_rlock(a, lock));
  assert_mproc_ok(mproc_args_add_event(a, held));
  mproc_process_t *p = start("hold_rlock_forever", a);
  assert_mproc_ok(mproc_event_wait(held, 60000));
  assert_mproc_ok(mproc_process_kill(p));
  assert_int_equal(join_code(p), -SIGKILL);
  assert_mproc_code(mproc_rlock_acquire(lock, 10000), MPROC_EOWNERDEAD);
  uint32_t depth = 0;
  assert_mproc_ok(mproc_rlock_depth(lock, &depth));
  assert_int_equal(depth, 1);
  assert_mproc_ok(mproc_rlock_release(lock));
  assert_mproc_code(mproc_rlock_release(lock), MPROC_ESTATE);
  mproc_rlock_free(lock);
  mproc_event_free(held);
}

static void rlock_counts_its_owner(void **state) {
  (void)state;
  mproc_rlock_t *lock = NULL;
  assert_mproc_ok(mproc_rlock_new(&lock, NULL));
  uint32_t depth = 9;
  assert_mproc_ok(mproc_rlock_depth(lock, &depth));
  assert_int_equal(depth, 0);
  for (int i = 0; i < 3; ++i) assert_mproc_ok(mproc_rlock_acquire(lock, 0));
  assert_mproc_ok(mproc_rlock_try_acquire(lock));
  assert_mproc_ok(mproc_rlock_depth(lock, &depth));
  assert_int_equal(depth, 4);
  for (int i = 0; i < 4; ++i) assert_mproc_ok(mproc_rlock_release(lock));
  assert_mproc_code(mproc_rlock_release(lock), MPROC_ESTATE);
  mproc_rlock_free(lock);
}

/* Another thread holds the lock: this one may neither release nor take it. */
static void *hold_then_wait(void *arg) {
  void **pair = arg;
  mproc_lock_t *lock = pair[0];
  mproc_event_t *go = pair[1];
  if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return (void *)1;
  mproc_event_set(go);
  /* Hold until the main thread clears the event to say it is done. */
  while (mproc_event_wait(go, 0) == 0) sched_yield();
  return (void *)(intptr_t)mproc_lock_release(lock);
}

static void ownership_is_per_thread(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_event_t *go = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_event_new(&go, NULL));
  void *pair[2] = {lock, go};
  pthread_t t;
  pthread_create(&t, NULL, hold_then_wait, pair);
  assert_mproc_ok(mproc_event_wait(go, 10000));
  assert_mproc_code(mproc_lock_release(lock), MPROC_ESTATE);
  assert_non_null(strstr(mproc_last_error(), "does not hold"));
  assert_mproc_code(mproc_lock_try_acquire(lock), MPROC_EBUSY);
  int locked = 0;
  assert_mproc_ok(mproc_lock_is_locked(lock, &locked));
  assert_int_equal(locked, 1);
  assert_mproc_ok(mproc_event_clear(go));
  void *rc;
  pthread_join(t, &rc);
  assert_null(rc);
  /* Taking a plain lock twice in one thread is refused, not a deadlock. */
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  assert_mproc_code(mproc_lock_acquire(lock, MPROC_FOREVER), MPROC_ESTATE);
  assert_mproc_ok(mproc_lock_release(lock));
  mproc_lock_free(lock);
  mproc_event_free(go);
}

enum { kCounterThreads = 4, kIncrements = 50000 };
struct counter_job {
  mproc_lock_t *lock;
  long *counter;
};
static void *increment_many(void *arg) {
  struct counter_job *job = arg;
  for (int i = 0; i < kIncrements; ++i) {
    if (mproc_lock_acquire(job->lock, MPROC_FOREVER) != 0) return (void *)1;
    long v = *job->counter; /* not atomic: only the lock makes it right */
    *job->counter = v + 1;
    if (mproc_lock_release(job->lock) != 0) return (void *)2;
  }
  return NULL;
}

static void a_lock_serialises_threads(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  long counter = 0;
  struct counter_job job = {lock, &counter};
  pthread_t t[kCounterThreads];
  for (int i = 0; i < kCounterThreads; ++i) pthread_create(&t[i], NULL, increment_many, &job);
  for (int i = 0; i < kCounterThreads; ++i) {
    void *rc;
    pthread_join(t[i], &rc);
    assert_null(rc);
  }
  assert_int_equal(counter, (long)kCounterThreads * kIncrements);
  mproc_lock_free(lock);
}

/* A thread let go by a release may free the object at once, while the
 * releasing call is still returning (glibc's sem_post bug 12674): the
 * release must touch nothing of it after that. Many rounds, so that some
 * free lands inside the release; a touch of freed memory crashes (or, in
 * the ASan build, is reported). */
enum { kFreeRaceRounds = 2000 };
static void *take_then_free_sem(void *arg) {
  mproc_sem_t *sem = arg;
  if (mproc_sem_acquire(sem, MPROC_FOREVER) != 0) return (void *)1;
  mproc_sem_free(sem);
  return NULL;
}
static void *take_then_free_lock(void *arg) {
  mproc_lock_t *lock = arg;
  if (mproc_lock_acquire(lock, MPROC_FOREVER) != 0) return (void *)1;
  if (mproc_lock_release(lock) != 0) return (void *)2;
  mproc_lock_free(lock);
  return NULL;
}
static void a_thread_let_go_by_a_release_may_free_at_once(void **state) {
  (void)state;
  for (int round = 0; round < kFreeRaceRounds; ++round) {
    mproc_sem_t *sem = NULL;
    mproc_lock_t *lock = NULL;
    assert_mproc_ok(mproc_sem_new(&sem, 0, NULL));
    assert_mproc_ok(mproc_lock_new(&lock, NULL));
    assert_mproc_ok(mproc_lock_acquire(lock, MPROC_FOREVER));
    pthread_t s, l;
    pthread_create(&s, NULL, take_then_free_sem, sem);
    pthread_create(&l, NULL, take_then_free_lock, lock);
    if (round % 2 == 1) sched_yield(); /* now and then, let them go to sleep first */
    assert_mproc_ok(mproc_sem_release(sem));
    assert_mproc_ok(mproc_lock_release(lock));
    void *rc_s, *rc_l;
    pthread_join(s, &rc_s);
    pthread_join(l, &rc_l);
    assert_null(rc_s);
    assert_null(rc_l);
  }
}

static void semaphore_timeouts_and_over_release(void **state) {
  (void)state;
  mproc_sem_t *sem = NULL;
  assert_mproc_ok(mproc_sem_new(&sem, 0, NULL));
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_sem_acquire(sem, 200), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 >= 190);
  assert_mproc_code(mproc_sem_try_acquire(sem), MPROC_EBUSY);
  assert_mproc_ok(mproc_sem_release(sem));
  assert_mproc_ok(mproc_sem_release(sem)); /* unbounded: fine */
  assert_mproc_ok(mproc_sem_acquire(sem, 0));
  assert_mproc_ok(mproc_sem_try_acquire(sem));
  mproc_sem_free(sem);

  assert_mproc_ok(mproc_sem_new_bounded(&sem, 2, NULL));
  assert_mproc_code(mproc_sem_release(sem), MPROC_ESTATE);
  assert_non_null(strstr(mproc_last_error(), "too many"));
  assert_mproc_ok(mproc_sem_acquire(sem, 0));
  assert_mproc_ok(mproc_sem_release(sem));
  assert_mproc_code(mproc_sem_release(sem), MPROC_ESTATE);
  uint32_t value = 0;
  assert_mproc_ok(mproc_sem_value(sem, &value));
  assert_int_equal(value, 2);
  mproc_sem_free(sem);
}

/* Python's BoundedSemaphore(0).release() raises ValueError: a bound of 0 is
 * a bound, never "unbounded". */
static void a_bounded_semaphore_of_zero_admits_no_release(void **state) {
  (void)state;
  mproc_sem_t *sem = NULL;
  assert_mproc_ok(mproc_sem_new_bounded(&sem, 0, NULL));
  assert_mproc_code(mproc_sem_release(sem), MPROC_ESTATE);
  assert_non_null(strstr(mproc_last_error(), "bound is 0"));
  uint32_t value = 99;
  assert_mproc_ok(mproc_sem_value(sem, &value));
  assert_int_equal(value, 0);
  assert_mproc_code(mproc_sem_try_acquire(sem), MPROC_EBUSY);
  mproc_sem_free(sem);
}

static void an_event_wakes_waiters_in_three_processes(void **state) {
  (void)state;
  mproc_event_t *ev = NULL;
  mproc_sem_t *ready = NULL;
  assert_mproc_ok(mproc_event_new(&ev, NULL));
  assert_mproc_ok(mproc_sem_new(&ready, 0, NULL));
  mproc_process_t *ps[3];
  for (int i = 0; i < 3; ++i) {
    mproc_args_t *a = new_args();
    assert_mproc_ok(mproc_args_add_event(a, ev));
    assert_mproc_ok(mproc_args_add_sem(a, ready));
    ps[i] = start("await_event", a);
  }
  for (int i = 0; i < 3; ++i) assert_mproc_ok(mproc_sem_acquire(ready, 60000));
  int is_set = 1;
  assert_mproc_ok(mproc_event_is_set(ev, &is_set));
  assert_int_equal(is_set, 0);
  assert_mproc_ok(mproc_event_set(ev));
  for (int i = 0; i < 3; ++i) assert_int_equal(join_code(ps[i]), 0);
  /* Set stays set; clear clears; a wait then times out. */
  assert_mproc_ok(mproc_event_wait(ev, 0));
  assert_mproc_ok(mproc_event_clear(ev));
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_event_wait(ev, 150), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 >= 140);
  mproc_event_free(ev);
  mproc_sem_free(ready);
}

static void a_condition_wakes_waiters_in_other_processes(void **state) {
  (void)state;
  mproc_cond_t *cond = NULL;
  mproc_shm_t *shm = NULL;
  mproc_sem_t *ready = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(int), NULL));
  assert_mproc_ok(mproc_sem_new(&ready, 0, NULL));
  mproc_process_t *ps[3];
  for (int i = 0; i < 3; ++i) {
    mproc_args_t *a = new_args();
    assert_mproc_ok(mproc_args_add_cond(a, cond));
    assert_mproc_ok(mproc_args_add_shm(a, shm));
    assert_mproc_ok(mproc_args_add_i64(a, 5));
    assert_mproc_ok(mproc_args_add_sem(a, ready));
    ps[i] = start("await_counter", a);
  }
  for (int i = 0; i < 3; ++i) assert_mproc_ok(mproc_sem_acquire(ready, 60000));
  int *counter = test_shm_data(shm);
  for (int step = 0; step < 5; ++step) {
    assert_mproc_ok(mproc_cond_acquire(cond, MPROC_FOREVER));
    ++*counter;
    assert_mproc_ok(mproc_cond_notify_all(cond));
    assert_mproc_ok(mproc_cond_release(cond));
  }
  for (int i = 0; i < 3; ++i) assert_int_equal(join_code(ps[i]), 0);
  mproc_cond_free(cond);
  mproc_shm_free(shm);
  mproc_sem_free(ready);
}

/* Notify-then-wait, both ways, many times: each side hands the turn over,
 * notifies, and at once waits for the turn to come back. A notification
 * taken by the notifier's own later wait (instead of by the side that was
 * waiting when it was given) leaves both asleep; a wait then runs into its
 * generous timeout and the test fails. */
enum { kPingPongRounds = 3000 };

static int ping_pong(mproc_cond_t *cond, volatile int *turn, int me, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    if (mproc_cond_acquire(cond, 10000) != 0) return 1;
    while (*turn != me) {
      int rc = mproc_cond_wait(cond, 10000);
      if (rc == MPROC_ETIMEDOUT) {
        fprintf(stderr, "side %d lost a notification in round %d\n", me, i);
        mproc_cond_release(cond);
        return 2;
      }
      if (rc != 0) return 3;
    }
    *turn = 1 - me;
    if (mproc_cond_notify(cond, 1) != 0) return 4;
    if (mproc_cond_release(cond) != 0) return 5;
  }
  return 0;
}

MPROC_TASK(ping_pong_side) {
  mproc_cond_t *cond = NULL;
  mproc_shm_t *shm = NULL;
  int64_t rounds = 0;
  if (mproc_args_get_cond(args, 0, &cond) != 0 || mproc_args_get_shm(args, 1, &shm) != 0 ||
      mproc_args_get_i64(args, 2, &rounds) != 0)
    return 100;
  int rc = ping_pong(cond, test_shm_data(shm), 1, (int)rounds);
  mproc_cond_free(cond);
  mproc_shm_free(shm);
  return rc;
}

static void notify_then_wait_never_steals_across_processes(void **state) {
  (void)state;
  mproc_cond_t *cond = NULL;
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(int), NULL));
  volatile int *turn = test_shm_data(shm);
  *turn = 0;
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_cond(a, cond));
  assert_mproc_ok(mproc_args_add_shm(a, shm));
  assert_mproc_ok(mproc_args_add_i64(a, kPingPongRounds));
  mproc_process_t *p = start("ping_pong_side", a);
  assert_int_equal(ping_pong(cond, turn, 0, kPingPongRounds), 0);
  assert_int_equal(join_code(p), 0);
  mproc_cond_free(cond);
  mproc_shm_free(shm);
}

struct ping_pong_thread {
  mproc_cond_t *cond;
  volatile int *turn;
  int rc;
};

static void *ping_pong_thread_main(void *arg) {
  struct ping_pong_thread *t = arg;
  t->rc = ping_pong(t->cond, t->turn, 1, kPingPongRounds);
  return NULL;
}

static void notify_then_wait_never_steals_across_threads(void **state) {
  (void)state;
  mproc_cond_t *cond = NULL;
  mproc_shm_t *shm = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  assert_mproc_ok(mproc_shm_new(&shm, sizeof(int), NULL));
  struct ping_pong_thread other = {cond, test_shm_data(shm), -1};
  *other.turn = 0;
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, ping_pong_thread_main, &other), 0);
  assert_int_equal(ping_pong(cond, other.turn, 0, kPingPongRounds), 0);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(other.rc, 0);
  mproc_cond_free(cond);
  mproc_shm_free(shm);
}

/* notify(n) wakes n: three threads wait; each wake is counted. */
struct cond_waiter {
  mproc_cond_t *cond;
  atomic_int *waiting;
  atomic_int *woken;
};
static void *wait_once(void *arg) {
  struct cond_waiter *w = arg;
  if (mproc_cond_acquire(w->cond, MPROC_FOREVER) != 0) return (void *)1;
  atomic_fetch_add(w->waiting, 1);
  int rc = mproc_cond_wait(w->cond, 30000);
  atomic_fetch_add(w->woken, 1);
  mproc_cond_release(w->cond);
  return rc == 0 ? NULL : (void *)2;
}

static void notify_wakes_as_many_as_asked(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_cond_t *cond = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_cond_new(&cond, lock, NULL));
  atomic_int waiting = 0, woken = 0;
  struct cond_waiter w = {cond, &waiting, &woken};
  pthread_t t[3];
  for (int i = 0; i < 3; ++i) pthread_create(&t[i], NULL, wait_once, &w);
  /* Every waiter is inside wait() once it has counted itself and given
   * the lock back. */
  for (;;) {
    assert_mproc_ok(mproc_cond_acquire(cond, MPROC_FOREVER));
    int in = atomic_load(&waiting);
    if (in == 3) break;
    assert_mproc_ok(mproc_cond_release(cond));
    sched_yield();
  }
  assert_mproc_ok(mproc_cond_notify(cond, 1));
  assert_mproc_ok(mproc_cond_release(cond));
  int64_t deadline = test_now_ms() + 10000;
  while (atomic_load(&woken) < 1 && test_now_ms() < deadline) sched_yield();
  assert_int_equal(atomic_load(&woken), 1);
  /* The other two stay asleep: give them time to (wrongly) wake. */
  struct timespec settle = {0, 100 * 1000 * 1000};
  nanosleep(&settle, NULL);
  assert_int_equal(atomic_load(&woken), 1);
  assert_mproc_ok(mproc_cond_acquire(cond, MPROC_FOREVER));
  assert_mproc_ok(mproc_cond_notify(cond, 5)); /* more than are waiting */
  assert_mproc_ok(mproc_cond_release(cond));
  for (int i = 0; i < 3; ++i) {
    void *rc;
    pthread_join(t[i], &rc);
    assert_null(rc);
  }
  assert_int_equal(atomic_load(&woken), 3);
  /* Without the lock: refused. */
  assert_mproc_code(mproc_cond_notify(cond, 1), MPROC_ESTATE);
  assert_mproc_code(mproc_cond_wait(cond, 0), MPROC_ESTATE);
  /* A timed-out wait holds the lock again and leaves no stray token. */
  assert_mproc_ok(mproc_cond_acquire(cond, MPROC_FOREVER));
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_cond_wait(cond, 150), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 >= 140);
  assert_mproc_code(mproc_lock_acquire(lock, 0), MPROC_ESTATE); /* ours again */
  assert_mproc_ok(mproc_cond_release(cond));
  mproc_cond_free(cond);
  mproc_lock_free(lock);
}

static void rlock_condition_restores_the_depth(void **state) {
  (void)state;
  mproc_rlock_t *lock = NULL;
  mproc_cond_t *cond = NULL;
  assert_mproc_ok(mproc_rlock_new(&lock, NULL));
  assert_mproc_ok(mproc_cond_new_rlock(&cond, lock, NULL));
  assert_mproc_ok(mproc_rlock_acquire(lock, 0));
  assert_mproc_ok(mproc_rlock_acquire(lock, 0));
  assert_mproc_code(mproc_cond_wait(cond, 50), MPROC_ETIMEDOUT);
  uint32_t depth = 0;
  assert_mproc_ok(mproc_rlock_depth(lock, &depth));
  assert_int_equal(depth, 2);
  assert_mproc_ok(mproc_rlock_release(lock));
  assert_mproc_ok(mproc_rlock_release(lock));
  mproc_cond_free(cond);
  mproc_rlock_free(lock);
}

static mproc_process_t *barrier_waiter(mproc_barrier_t *b, int64_t timeout) {
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_barrier(a, b));
  assert_mproc_ok(mproc_args_add_i64(a, timeout));
  return start("at_barrier", a);
}

/* Polls until `n` waiters are inside wait() (at most 60 s). */
static void wait_for_barrier_waiters(mproc_barrier_t *b, uint32_t n) {
  uint32_t seen = 0;
  int64_t deadline = test_now_ms() + 60000;
  while (seen < n && test_now_ms() < deadline) {
    assert_mproc_ok(mproc_barrier_n_waiting(b, &seen));
    sched_yield();
  }
  assert_int_equal(seen, n);
}

static void expect_broken(mproc_barrier_t *b, int expected) {
  int broken = -1;
  assert_mproc_ok(mproc_barrier_broken(b, &broken));
  assert_int_equal(broken, expected);
}

/* Joins the barrier waiters `ps` and checks that they, with the index this
 * process got (`own`, or -1 if it did not wait), got each index once. */
static void expect_each_index_once(mproc_process_t **ps, int n, int own) {
  int parties = n + (own >= 0);
  int seen[8] = {0};
  assert_true(parties <= 8);
  if (own >= 0) seen[own]++;
  for (int i = 0; i < n; ++i) {
    int code = join_code(ps[i]);
    assert_true(code >= 0 && code < parties);
    seen[code]++;
  }
  for (int i = 0; i < parties; ++i) assert_int_equal(seen[i], 1);
}

static void a_barrier_of_four_processes(void **state) {
  (void)state;
  mproc_barrier_t *b = NULL;
  assert_mproc_ok(mproc_barrier_new(&b, 4, NULL));
  uint32_t parties = 0;
  assert_mproc_ok(mproc_barrier_parties(b, &parties));
  assert_int_equal(parties, 4);
  for (int round = 0; round < 2; ++round) { /* reusable, as Python's */
    mproc_process_t *ps[4];
    for (int i = 0; i < 4; ++i) ps[i] = barrier_waiter(b, 60000);
    expect_each_index_once(ps, 4, -1);
  }
  expect_broken(b, 0);
  mproc_barrier_free(b);
}

static void aborting_a_barrier_breaks_it_for_every_waiter(void **state) {
  (void)state;
  mproc_barrier_t *b = NULL;
  assert_mproc_ok(mproc_barrier_new(&b, 4, NULL));
  mproc_process_t *ps[3];
  for (int i = 0; i < 3; ++i) ps[i] = barrier_waiter(b, 60000);
  wait_for_barrier_waiters(b, 3);
  assert_mproc_ok(mproc_barrier_abort(b));
  for (int i = 0; i < 3; ++i) assert_int_equal(join_code(ps[i]), 200);
  assert_mproc_code(mproc_barrier_wait(b, 0, NULL), MPROC_EBROKEN);
  /* reset makes it whole again. */
  assert_mproc_ok(mproc_barrier_reset(b));
  expect_broken(b, 0);
  mproc_barrier_free(b);
}

static void a_barrier_timeout_breaks_it(void **state) {
  (void)state;
  mproc_barrier_t *b = NULL;
  assert_mproc_ok(mproc_barrier_new(&b, 3, NULL));
  mproc_process_t *patient = barrier_waiter(b, 60000);
  wait_for_barrier_waiters(b, 1);
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_barrier_wait(b, 200, NULL), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 >= 190);
  assert_int_equal(join_code(patient), 200); /* broken under it */
  expect_broken(b, 1);
  mproc_barrier_free(b);
}

static void reset_breaks_the_waiters_and_the_next_round_works(void **state) {
  (void)state;
  mproc_barrier_t *b = NULL;
  assert_mproc_ok(mproc_barrier_new(&b, 3, NULL));
  mproc_process_t *early[2];
  for (int i = 0; i < 2; ++i) early[i] = barrier_waiter(b, 60000);
  wait_for_barrier_waiters(b, 2);
  assert_mproc_ok(mproc_barrier_reset(b));
  for (int i = 0; i < 2; ++i) assert_int_equal(join_code(early[i]), 200);
  expect_broken(b, 0);
  mproc_process_t *next[2];
  for (int i = 0; i < 2; ++i) next[i] = barrier_waiter(b, 60000);
  uint32_t index = 99;
  assert_mproc_ok(mproc_barrier_wait(b, 60000, &index));
  expect_each_index_once(next, 2, (int)index);
  mproc_barrier_free(b);
}

/* A waiter let through by the last arrival but killed before it got to
 * leave wait() must not keep the next round from starting. */
/* Stops every thread of a process, as SIGSTOP does: on Windows with
 * ntdll's NtSuspendProcess (what debuggers and Process Explorer use). */
static void stop_process(int64_t pid) {
#ifdef _WIN32
  typedef LONG(NTAPI * suspend_fn)(HANDLE);
  suspend_fn suspend =
      (suspend_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtSuspendProcess");
  assert_non_null((void *)(uintptr_t)suspend);
  HANDLE h = OpenProcess(PROCESS_SUSPEND_RESUME, FALSE, (DWORD)pid);
  assert_non_null(h);
  assert_int_equal(suspend(h), 0);
  CloseHandle(h);
#else
  assert_int_equal(kill((pid_t)pid, SIGSTOP), 0);
#endif
}

static void a_waiter_killed_after_the_trip_does_not_block_the_next_round(void **state) {
  (void)state;
  mproc_barrier_t *b = NULL;
  assert_mproc_ok(mproc_barrier_new(&b, 2, NULL));
  mproc_process_t *victim = barrier_waiter(b, 60000);
  wait_for_barrier_waiters(b, 1);
  int64_t pid = 0;
  assert_mproc_ok(mproc_process_pid(victim, &pid));
  stop_process(pid);
  uint32_t index = 99;
  assert_mproc_ok(mproc_barrier_wait(b, 60000, &index));
  assert_int_equal(index, 1);
  assert_mproc_ok(mproc_process_kill(victim));
  assert_int_equal(join_code(victim), -SIGKILL);
  mproc_process_t *partner = barrier_waiter(b, 60000);
  assert_mproc_ok(mproc_barrier_wait(b, 60000, &index));
  int code = join_code(partner);
  assert_true((code == 0 && index == 1) || (code == 1 && index == 0));
  mproc_barrier_free(b);
}

static void shared_blocks_are_shared(void **state) {
  (void)state;
  mproc_shm_t *shm = NULL;
  size_t size = 3 * 4096 + 5;
  assert_mproc_ok(mproc_shm_new(&shm, size, NULL));
  assert_int_equal(test_shm_size(shm), size);
  unsigned char *p = test_shm_data(shm);
  assert_int_equal((uintptr_t)p % 4096, 0);
  for (size_t i = 0; i < size; ++i) assert_int_equal(p[i], 0);
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_shm(a, shm));
  assert_int_equal(join_code(start("fill_block", a)), 0);
  for (size_t i = 0; i < size; ++i) assert_int_equal(p[i], (unsigned char)(i * 7 + 3));
  mproc_lock_t *l1 = NULL, *l2 = NULL;
  assert_mproc_ok(mproc_shm_lock(shm, &l1));
  assert_mproc_ok(mproc_shm_lock(shm, &l2));
  assert_mproc_ok(mproc_lock_acquire(l1, 0));
  int locked = 0;
  assert_mproc_ok(mproc_lock_is_locked(l2, &locked)); /* the same lock */
  assert_int_equal(locked, 1);
  assert_mproc_ok(mproc_lock_release(l2));
  mproc_lock_free(l1);
  mproc_lock_free(l2);
  mproc_shm_free(shm);
}

static void named_objects_open_by_name_until_unlinked(void **state) {
  (void)state;
  mproc_shared_opts_t *opts = NULL;
  assert_mproc_ok(mproc_shared_opts_new(&opts));
  assert_mproc_ok(mproc_shared_opts_set_named(opts, 1));
  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, opts));
  const char *name = NULL;
  assert_mproc_ok(mproc_lock_name(lock, &name));
  assert_int_equal(strlen(name), 6 + 32);
  assert_true(strncmp(name, "mproc-", 6) == 0);
  char saved[64];
  strcpy(saved, name);
  /* Another process opens it by name and sees it held. */
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_str(a, saved));
  assert_int_equal(join_code(start("probe_named_lock", a)), 0);
  assert_mproc_ok(mproc_lock_release(lock));
  /* The wrong type is refused; a second creation under the name too. */
  mproc_sem_t *sem = NULL;
  assert_mproc_code(mproc_sem_open(&sem, saved), MPROC_ETYPE);
  assert_mproc_ok(mproc_shared_opts_set_name(opts, saved));
  mproc_lock_t *twin = NULL;
  assert_mproc_code(mproc_lock_new(&twin, opts), MPROC_EEXIST);
  assert_mproc_ok(mproc_lock_open(&twin, saved));
  mproc_lock_free(twin);
  assert_mproc_ok(mproc_unlink(saved));
  assert_mproc_code(mproc_lock_open(&twin, saved), MPROC_ENOENT);
  assert_mproc_code(mproc_unlink(saved), MPROC_ENOENT);
  /* The handle still works after the name is gone. */
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  /* The name can be made anew while the old object lives: a different
   * lock, free while the old one is held. */
  mproc_lock_t *again = NULL;
  assert_mproc_ok(mproc_lock_new(&again, opts));
  assert_mproc_ok(mproc_lock_open(&twin, saved));
  assert_mproc_ok(mproc_lock_try_acquire(twin));
  assert_mproc_ok(mproc_lock_release(twin));
  mproc_lock_free(twin);
  assert_mproc_ok(mproc_unlink(saved));
  mproc_lock_free(again);
  assert_mproc_ok(mproc_lock_release(lock));
  mproc_lock_free(lock);
#ifdef _WIN32
  /* Windows names go with their last holder, unlinked or not. */
  assert_mproc_ok(mproc_lock_new(&again, opts));
  mproc_lock_free(again);
  assert_mproc_code(mproc_lock_open(&twin, saved), MPROC_ENOENT);
  assert_mproc_ok(mproc_lock_new(&again, opts));
  mproc_lock_free(again);
#endif

  /* A named condition brings its own lock along. (Names carry the pid:
   * the suite runs under several start methods at once.) */
  char cond_name[64], block_name[64];
  snprintf(cond_name, sizeof cond_name, "mproc-test-cond-%lld", (long long)mproc_getpid());
  snprintf(block_name, sizeof block_name, "mproc-test-block-%lld", (long long)mproc_getpid());
  assert_mproc_ok(mproc_shared_opts_set_name(opts, cond_name));
  mproc_cond_t *cond = NULL, *cond2 = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, opts));
  assert_mproc_ok(mproc_cond_open(&cond2, cond_name));
  /* Both handles reach one RLock: taken through one, it is re-entered
   * through the other, and must be released twice. */
  assert_mproc_ok(mproc_cond_acquire(cond, 0));
  assert_mproc_ok(mproc_cond_acquire(cond2, 0));
  assert_mproc_ok(mproc_cond_release(cond2));
  assert_mproc_ok(mproc_cond_release(cond));
  assert_mproc_code(mproc_cond_release(cond), MPROC_ESTATE);
  assert_mproc_ok(mproc_unlink(cond_name));
  mproc_cond_free(cond);
  mproc_cond_free(cond2);

  /* A named block, opened twice, is one memory. */
  assert_mproc_ok(mproc_shared_opts_set_name(opts, block_name));
  mproc_shm_t *b1 = NULL, *b2 = NULL;
  assert_mproc_ok(mproc_shm_new(&b1, 100, opts));
  assert_mproc_ok(mproc_shm_open(&b2, block_name));
  assert_int_equal(test_shm_size(b2), 100);
  strcpy(test_shm_data(b1), "shared");
  assert_string_equal(test_shm_data(b2), "shared");
  assert_mproc_ok(mproc_unlink(block_name));
  mproc_shm_free(b1);
  mproc_shm_free(b2);

  /* Names are checked. */
  assert_mproc_code(mproc_shared_opts_set_name(opts, "a/b"), MPROC_EINVAL);
  assert_mproc_code(mproc_shared_opts_set_name(opts, ""), MPROC_EINVAL);
  assert_mproc_code(mproc_lock_open(&twin, "no-such-mproc-object"), MPROC_ENOENT);
  mproc_shared_opts_free(opts);
}

/* A name in /dev/shm that holds some other program's object (CPython's
 * SharedMemory makes zero-filled ones): opening it as any mproc object is
 * the wrong type, said at once, never "corrupt" and never a crash. */
static void a_foreign_shared_object_is_the_wrong_type(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("plants a foreign object in /dev/shm; on Windows a name is an mproc "
                    "entry section (Local\\mproc-n-<name>), which no other program makes");
#else
  char name[64], path[80];
  snprintf(name, sizeof name, "mproc-test-foreign-%lld", (long long)mproc_getpid());
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  static const size_t sizes[] = {4096, 16};
  for (size_t k = 0; k < 2; ++k) {
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)sizes[k]), 0);
    if (k == 1) assert_int_equal(write(fd, "not ours", 8), 8);
    close(fd);
    int64_t t0 = test_now_ms();
    mproc_lock_t *lock = NULL;
    assert_mproc_code(mproc_lock_open(&lock, name), MPROC_ETYPE);
    assert_non_null(strstr(mproc_last_error(), "is not an mproc object"));
    mproc_queue_t *q = NULL;
    assert_mproc_code(mproc_queue_open(&q, name), MPROC_ETYPE);
    mproc_shm_t *shm = NULL;
    assert_mproc_code(mproc_shm_open(&shm, name), MPROC_ETYPE);
    assert_true(test_now_ms() - t0 < 1500); /* no creator's grace for it */
    assert_int_equal(unlink(path), 0);
  }
#endif
}

static void bad_handles_and_arguments(void **state) {
  (void)state;
  assert_mproc_code(mproc_lock_acquire(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_lock_release(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_rlock_acquire(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_sem_release(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_event_wait(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_cond_wait(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_barrier_wait(NULL, 0, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_lock_new(NULL, NULL), MPROC_EINVAL);
  mproc_barrier_t *b = NULL;
  assert_mproc_code(mproc_barrier_new(&b, 0, NULL), MPROC_EINVAL);
  mproc_shm_t *shm = NULL;
  assert_mproc_code(mproc_shm_new(&shm, 0, NULL), MPROC_EINVAL);
  void *data = NULL;
  size_t size = 0;
  const char *name = NULL;
  assert_mproc_code(mproc_shm_data(NULL, &data), MPROC_EINVAL);
  assert_mproc_code(mproc_shm_size(NULL, &size), MPROC_EINVAL);
  assert_mproc_code(mproc_lock_name(NULL, &name), MPROC_EINVAL);
  assert_null(name);
  mproc_lock_t *anonymous = NULL;
  assert_mproc_ok(mproc_lock_new(&anonymous, NULL));
  assert_mproc_code(mproc_lock_name(anonymous, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_lock_name(anonymous, &name));
  assert_string_equal(name, "");
  mproc_lock_free(anonymous);
  mproc_sem_t *sem = NULL;
  assert_mproc_ok(mproc_sem_new(&sem, 1, NULL));
  /* A semaphore handle is not a lock handle. */
  assert_mproc_code(mproc_lock_acquire((mproc_lock_t *)(void *)sem, 0), MPROC_EINVAL);
  mproc_args_t *a = new_args();
  assert_mproc_ok(mproc_args_add_sem(a, sem));
  mproc_lock_t *lock = NULL;
  assert_mproc_code(mproc_args_get_lock(a, 0, &lock), MPROC_ETYPE);
  mproc_sem_t *again = NULL;
  assert_mproc_ok(mproc_args_get_sem(a, 0, &again));
  mproc_sem_free(again);
  mproc_args_free(a);
  mproc_sem_free(sem);
  mproc_lock_free(NULL);
  mproc_rlock_free(NULL);
  mproc_sem_free(NULL);
  mproc_event_free(NULL);
  mproc_cond_free(NULL);
  mproc_barrier_free(NULL);
  mproc_shm_free(NULL);
  mproc_shared_opts_free(NULL);
  assert_mproc_code(mproc_unlink(NULL), MPROC_EINVAL);
}

static char shm_before[4096];

static int remember_dev_shm(void **state) {
  (void)state;
  dev_shm_listing(shm_before, sizeof shm_before);
  return 0;
}

static int nothing_left_in_dev_shm(void **state) {
  (void)state;
  char after[4096];
  dev_shm_listing(after, sizeof after);
  if (strcmp(shm_before, after) != 0) {
    fprintf(stderr, "left in /dev/shm: before [%s] after [%s]\n", shm_before, after);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exactly_as_many_buy_as_there_are_tickets),
      cmocka_unit_test(a_semaphore_of_two_admits_two_at_most),
      cmocka_unit_test(a_lock_taken_from_a_dead_owner_says_so_and_keeps_working),
      cmocka_unit_test(a_waiter_learns_of_the_owner_dying_while_it_waits),
      cmocka_unit_test(an_rlock_from_a_dead_owner_restarts_at_depth_one),
      cmocka_unit_test(rlock_counts_its_owner),
      cmocka_unit_test(ownership_is_per_thread),
      cmocka_unit_test(a_lock_serialises_threads),
      cmocka_unit_test(a_thread_let_go_by_a_release_may_free_at_once),
      cmocka_unit_test(semaphore_timeouts_and_over_release),
      cmocka_unit_test(a_bounded_semaphore_of_zero_admits_no_release),
      cmocka_unit_test(an_event_wakes_waiters_in_three_processes),
      cmocka_unit_test(a_condition_wakes_waiters_in_other_processes),
      cmocka_unit_test(notify_then_wait_never_steals_across_processes),
      cmocka_unit_test(notify_then_wait_never_steals_across_threads),
      cmocka_unit_test(notify_wakes_as_many_as_asked),
      cmocka_unit_test(rlock_condition_restores_the_depth),
      cmocka_unit_test(a_barrier_of_four_processes),
      cmocka_unit_test(reset_breaks_the_waiters_and_the_next_round_works),
      cmocka_unit_test(a_waiter_killed_after_the_trip_does_not_block_the_next_round),
      cmocka_unit_test(aborting_a_barrier_breaks_it_for_every_waiter),
      cmocka_unit_test(a_barrier_timeout_breaks_it),
      cmocka_unit_test(shared_blocks_are_shared),
      cmocka_unit_test(named_objects_open_by_name_until_unlinked),
      cmocka_unit_test(a_foreign_shared_object_is_the_wrong_type),
      cmocka_unit_test(bad_handles_and_arguments),
  };
  /* The group teardown fails the run if anything was left in /dev/shm,
   * SIGKILLed children included. */
  return cmocka_run_group_tests_name(method, tests, remember_dev_shm, nothing_left_in_dev_shm);
}
