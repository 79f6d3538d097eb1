/* The error codes the headers document, checked one by one where they are
 * cheap to provoke, so that the documented table and the code cannot drift
 * apart (issue 19). Each group names the header whose promises it checks;
 * each call's full behaviour is tested in its own suite. The other
 * direction is tests/check_documented_errors.py: it fails when a code of
 * mproc_errno_t is neither provoked here nor in not_provoked[] below, or
 * when a code provoked here is missing from its function's documentation. */
#include "harness.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

MPROC_TASK(doc_exit_0) { return 0; }

MPROC_POOL_TASK(doc_echo) { return mproc_result_set(out, in, len); }

/* Fails with a code of its own that no table lists. */
MPROC_POOL_TASK(doc_own_code) {
  (void)in;
  (void)len;
  return mproc_result_error(out, -123456, "doc_own_code: a code of its own");
}

#ifndef _WIN32
/* Dies the way a crashing task does: its worker is gone. */
MPROC_POOL_TASK(doc_die) {
  (void)in;
  (void)len;
  (void)out;
  raise(SIGKILL);
  return 0;
}
#endif

/* Takes the lock it is given and ends without releasing it. */
MPROC_TASK(doc_die_holding) {
  mproc_lock_t *lock = NULL;
  if (mproc_args_get_lock(args, 0, &lock) != 0) return 2;
  return mproc_lock_acquire(lock, MPROC_FOREVER) == 0 ? 0 : 3;
}

/* A name for a named object of this run. */
static const char *doc_name(const char *what) {
  static char name[96];
  snprintf(name, sizeof name, "mproc-doc-%s-%lld", what, (long long)mproc_getpid());
  return name;
}

#ifdef __linux__
/* A Linux abstract socket name nobody listens on. */
static const char *doc_abstract_nobody(void) {
  static char address[96];
  snprintf(address, sizeof address, "abstract:mproc-doc-nobody-%lld", (long long)mproc_getpid());
  return address;
}
#endif

/* mproc/common.h: a bad timeout is EINVAL before the call has any effect;
 * a freed handle or one of another type is EINVAL, never a crash. */
static void common_conventions(void **state) {
  (void)state;
  mproc_event_t *event = NULL;
  assert_mproc_code(mproc_event_new(NULL, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_event_new(&event, NULL));
  assert_mproc_code(mproc_event_wait(event, -2), MPROC_EINVAL);
  assert_mproc_code(mproc_event_wait(event, 0), MPROC_ETIMEDOUT);
  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_code(mproc_event_set((mproc_event_t *)(void *)lock), MPROC_EINVAL);
  mproc_lock_free(lock);
  /* mproc/sync.h: mproc_event_set fails only for a bad handle. */
  assert_mproc_ok(mproc_event_set(event));
  mproc_event_free(event);
  assert_mproc_code(mproc_event_set(event), MPROC_EINVAL);
  assert_int_equal(mproc_last_error_code(), MPROC_EINVAL);
}

/* mproc/args.h */
static void args_errors(void **state) {
  (void)state;
  mproc_args_t *args = NULL;
  assert_mproc_code(mproc_args_new(NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_code(mproc_args_add_fd(args, -1), MPROC_EBADF);
  assert_mproc_code(mproc_args_add_bytes(args, NULL, 3), MPROC_EINVAL);
  assert_mproc_code(mproc_args_add_str(args, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_args_add_i64(args, 7));
  int64_t i = 0;
  double d = 0;
  mproc_arg_type_t type;
  assert_mproc_code(mproc_args_get_i64(args, 1, &i), MPROC_ERANGE);
  assert_mproc_code(mproc_args_type(args, 1, &type), MPROC_ERANGE);
  assert_mproc_code(mproc_args_get_f64(args, 0, &d), MPROC_ETYPE);
  assert_mproc_code(mproc_args_get_i64(args, 0, NULL), MPROC_EINVAL);

  /* Descriptor lifetime: the list holds its own duplicate, so the caller
   * may close its descriptor at once and the list's stays open. */
  int fds[2];
  assert_int_equal(test_pipe(fds), 0);
  assert_mproc_ok(mproc_args_add_fd(args, fds[0]));
  close(fds[0]);
  close(fds[1]);
  int held = -1;
  assert_mproc_ok(mproc_args_get_fd(args, 1, &held));
  assert_true(test_fd_is_open(held));
  mproc_args_free(args);
}

/* mproc/args.h, descriptor lifetime: the parent's duplicate of a passed
 * descriptor is closed once the start succeeded. The write end of a pipe
 * goes to a child that exits at once; with the parent's own copy closed,
 * the read end then sees end of file -- it would wait for ever if the
 * process still held its duplicate. */
static void args_descriptor_closed_after_start(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("reads a pipe with read(2) and poll(2): POSIX descriptors");
#else
  int fds[2];
  assert_int_equal(test_pipe(fds), 0);
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_fd(args, fds[1]));
  close(fds[1]);
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "doc_exit_0", args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_int_equal(test_fd_ready(fds[0], 60000), 1);
  char byte;
  assert_int_equal(read(fds[0], &byte, 1), 0); /* no writer left anywhere */
  mproc_process_free(p);
  close(fds[0]);
#endif
}

/* mproc/task.h */
static void task_errors(void **state) {
  (void)state;
  mproc_task_fn fn = NULL;
  mproc_pool_fn pool_fn = NULL;
  assert_mproc_ok(mproc_task_lookup("doc_exit_0", &fn, NULL));
  assert_mproc_code(mproc_task_register("", fn, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_task_register("doc_neither", NULL, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_task_register("doc_exit_0", fn, NULL)); /* again: harmless */
  assert_mproc_code(mproc_task_register("doc_echo", fn, NULL), MPROC_EEXIST);
  assert_mproc_code(mproc_task_lookup("doc_no_such_task", &fn, NULL), MPROC_ENOTFOUND);
  assert_mproc_code(mproc_task_lookup("doc_echo", &fn, NULL), MPROC_ETYPE);
  assert_mproc_code(mproc_task_lookup("doc_exit_0", NULL, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_task_lookup("doc_echo", NULL, &pool_fn));
}

/* mproc/process.h */
static void process_errors(void **state) {
  (void)state;
  assert_mproc_code(mproc_set_start_method(MPROC_START_DEFAULT), MPROC_EINVAL);
  mproc_process_opts_t *opts = NULL;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_code(mproc_process_opts_set_start_method(opts, (mproc_start_method_t)99),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_process_opts_set_name(opts, NULL), MPROC_EINVAL);
  mproc_process_opts_free(opts);

  mproc_process_t *p = NULL;
  assert_mproc_code(mproc_process_new(&p, "doc_no_such_task", NULL, NULL), MPROC_ENOTFOUND);
  assert_mproc_code(mproc_process_new(&p, "doc_echo", NULL, NULL), MPROC_ETYPE);
  assert_mproc_code(mproc_process_new(&p, "", NULL, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_process_new(&p, "doc_exit_0", NULL, NULL));
  int code = -1, alive = -1, fd = -1;
  int64_t pid = 0;
  assert_mproc_code(mproc_process_join(p, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_process_exitcode(p, &code), MPROC_ESTATE);
  assert_mproc_code(mproc_process_pid(p, &pid), MPROC_ESTATE);
  assert_mproc_code(mproc_process_terminate(p), MPROC_ESTATE);
  assert_mproc_code(mproc_process_kill(p), MPROC_ESTATE);
  assert_mproc_code(mproc_process_sentinel(p, &fd), MPROC_ESTATE);
  assert_mproc_ok(mproc_process_is_alive(p, &alive));
  assert_int_equal(alive, 0);
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_code(mproc_process_start(p), MPROC_ESTATE);
  assert_mproc_code(mproc_process_join(p, -5), MPROC_EINVAL);
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  /* A child that already ended: signalling it succeeds and does nothing. */
  assert_mproc_ok(mproc_process_terminate(p));
  mproc_process_free(p);

  size_t count = 0;
  assert_mproc_code(mproc_active_children(NULL, 1, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_active_children(NULL, 0, NULL), MPROC_EINVAL);
}

/* mproc/process.h and mproc/command.h: with SIGCHLD ignored the kernel
 * reaps children itself, so their exit status is lost: joins still
 * return, and the exit codes are MPROC_ECHILD. */
#ifndef _WIN32
static struct sigaction sigchld_before;
static int sigchld_saved;
#endif

/* Puts SIGCHLD back even when an assertion failed half-way, so that one
 * failure does not spread to the tests after it. */
static int restore_sigchld(void **state) {
  (void)state;
#ifndef _WIN32
  if (sigchld_saved) sigaction(SIGCHLD, &sigchld_before, NULL);
  sigchld_saved = 0;
#endif
  return 0;
}

static void exit_status_lost_when_sigchld_is_ignored(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("Windows has no SIGCHLD: exit codes come from process handles");
#else
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  assert_int_equal(sigaction(SIGCHLD, &ignore, &sigchld_before), 0);
  sigchld_saved = 1;

  mproc_process_t *p = NULL;
  int code = -1;
  assert_mproc_ok(mproc_process_new(&p, "doc_exit_0", NULL, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_code(mproc_process_exitcode(p, &code), MPROC_ECHILD);
  mproc_process_free(p);

  /* A command that waits for its stdin to close, so that it is still
   * running when the start returns. */
  const char *const cat[] = TEST_CAT_ARGV;
  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_NULL));
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, cat, opts));
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_close_stdin(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 60000));
  assert_mproc_code(mproc_command_exitcode(cmd, &code), MPROC_ECHILD);
  mproc_command_free(cmd);

  /* Commands that end at once: the kernel may reap one before the start
   * holds on to it. The start still succeeds (it ran), the join returns,
   * the status is lost. */
  const char *const quick[] = {"true", NULL};
  for (int i = 0; i < 50; ++i) {
    assert_mproc_ok(mproc_command_new(&cmd, quick, NULL));
    assert_mproc_ok(mproc_command_start(cmd));
    assert_mproc_ok(mproc_command_join(cmd, 60000));
    assert_mproc_code(mproc_command_exitcode(cmd, &code), MPROC_ECHILD);
    mproc_command_free(cmd);
  }
#endif
}

/* mproc/command.h */
static void command_errors(void **state) {
  (void)state;
  const char *const none[] = {NULL};
  const char *const missing[] = {"mproc-doc-no-such-program", NULL};
  const char *const cat[] = TEST_CAT_ARGV;
  mproc_command_t *cmd = NULL;
  assert_mproc_code(mproc_command_new(&cmd, none, NULL), MPROC_EINVAL);

  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_code(mproc_command_opts_env_set(opts, "A=B", "x"), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_env_unset(opts, ""), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_STDOUT),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio(opts, 3, MPROC_STDIO_NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio_file(opts, MPROC_STDOUT, "", 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio_fd(opts, MPROC_STDOUT, -1), MPROC_EBADF);
  assert_mproc_code(mproc_command_opts_pass_fd(opts, 2, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_pass_fd(opts, 3, -1), MPROC_EBADF);
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_NULL));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_NULL));

  /* Not started yet. */
  assert_mproc_ok(mproc_command_new(&cmd, cat, opts));
  char buf[8];
  size_t n = 0;
  int code = -1, alive = -1, fd = -1;
  int64_t pid = 0;
  assert_mproc_code(mproc_command_write(cmd, "x", 1, NULL, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_command_close_stdin(cmd), MPROC_ESTATE);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, 0, &n, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDIN, buf, sizeof buf, &n, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_join(cmd, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_command_terminate(cmd), MPROC_ESTATE);
  assert_mproc_code(mproc_command_kill(cmd), MPROC_ESTATE);
  assert_mproc_code(mproc_command_pid(cmd, &pid), MPROC_ESTATE);
  assert_mproc_code(mproc_command_exitcode(cmd, &code), MPROC_ESTATE);
  assert_mproc_code(mproc_command_sentinel(cmd, &fd), MPROC_ESTATE);
  assert_mproc_ok(mproc_command_is_alive(cmd, &alive));
  assert_int_equal(alive, 0);

  /* Started, with stdin and stdout not pipes. */
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ESTATE);
  assert_mproc_code(mproc_command_write(cmd, "x", 1, NULL, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 0), MPROC_ESTATE);
  assert_mproc_ok(mproc_command_pid(cmd, &pid));
  assert_mproc_ok(mproc_command_join(cmd, 60000));
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  assert_int_equal(code, 0);
  assert_mproc_ok(mproc_command_kill(cmd)); /* ended: does nothing */
  mproc_command_free(cmd);
  mproc_command_opts_free(opts);

  assert_mproc_ok(mproc_command_new(&cmd, missing, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOENT);
  mproc_command_free(cmd);
}

/* mproc/sync.h */
static void sync_errors(void **state) {
  (void)state;
  mproc_shared_opts_t *opts = NULL;
  assert_mproc_ok(mproc_shared_opts_new(&opts));
  assert_mproc_code(mproc_shared_opts_set_name(opts, ""), MPROC_EINVAL);
  assert_mproc_code(mproc_shared_opts_set_name(opts, "a/b"), MPROC_EINVAL);
  assert_mproc_code(mproc_unlink(doc_name("never-made")), MPROC_ENOENT);

  mproc_lock_t *lock = NULL;
  assert_mproc_code(mproc_lock_open(&lock, doc_name("never-made")), MPROC_ENOENT);
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_code(mproc_lock_release(lock), MPROC_ESTATE);
  assert_mproc_ok(mproc_lock_acquire(lock, 0));
  assert_mproc_code(mproc_lock_acquire(lock, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_lock_try_acquire(lock), MPROC_ESTATE);
  assert_mproc_ok(mproc_lock_release(lock));
  mproc_lock_free(lock);

  mproc_rlock_t *rlock = NULL;
  assert_mproc_ok(mproc_rlock_new(&rlock, NULL));
  assert_mproc_code(mproc_rlock_release(rlock), MPROC_ESTATE);
  mproc_rlock_free(rlock);

  mproc_sem_t *sem = NULL;
  assert_mproc_ok(mproc_sem_new(&sem, 0, NULL));
  assert_mproc_code(mproc_sem_try_acquire(sem), MPROC_EBUSY);
  assert_mproc_code(mproc_sem_acquire(sem, 0), MPROC_ETIMEDOUT);
  mproc_sem_free(sem);
  assert_mproc_ok(mproc_sem_new_bounded(&sem, 1, NULL));
  assert_mproc_code(mproc_sem_release(sem), MPROC_ESTATE);
  mproc_sem_free(sem);
  assert_mproc_ok(mproc_sem_new(&sem, UINT32_MAX, NULL));
  assert_mproc_code(mproc_sem_release(sem), MPROC_EOVERFLOW);
  mproc_sem_free(sem);

  mproc_cond_t *cond = NULL;
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  assert_mproc_code(mproc_cond_wait(cond, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_cond_notify(cond, 1), MPROC_ESTATE);
  assert_mproc_code(mproc_cond_notify_all(cond), MPROC_ESTATE);
  assert_mproc_code(mproc_cond_release(cond), MPROC_ESTATE);
  assert_mproc_ok(mproc_cond_acquire(cond, 0));
  assert_mproc_code(mproc_cond_wait(cond, 0), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_cond_release(cond));
  mproc_cond_free(cond);
  /* A named condition over an anonymous lock. */
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_shared_opts_set_named(opts, 1));
  assert_mproc_code(mproc_cond_new(&cond, lock, opts), MPROC_EINVAL);
  mproc_lock_free(lock);

  mproc_barrier_t *barrier = NULL;
  uint32_t index = 0;
  assert_mproc_code(mproc_barrier_new(&barrier, 0, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_barrier_new(&barrier, 2, NULL));
  assert_mproc_code(mproc_barrier_wait(barrier, 0, &index), MPROC_ETIMEDOUT);
  assert_mproc_code(mproc_barrier_wait(barrier, 0, &index), MPROC_EBROKEN);
  mproc_barrier_free(barrier);

  /* A name is one object's: taken (EEXIST), of another kind (ETYPE). */
  const char *name = doc_name("sem");
  assert_mproc_ok(mproc_shared_opts_set_name(opts, name));
  assert_mproc_ok(mproc_sem_new(&sem, 1, opts));
  mproc_sem_t *again = NULL;
  assert_mproc_code(mproc_sem_new(&again, 1, opts), MPROC_EEXIST);
  assert_mproc_code(mproc_lock_open(&lock, name), MPROC_ETYPE);
  assert_mproc_ok(mproc_unlink(name));
  mproc_sem_free(sem);
  mproc_shared_opts_free(opts);
}

/* mproc/queue.h, with its trap: a join before anything was put returns at
 * once. */
static void queue_errors(void **state) {
  (void)state;
  mproc_queue_opts_t *opts = NULL;
  assert_mproc_ok(mproc_queue_opts_new(&opts));
  assert_mproc_code(mproc_queue_opts_set_capacity(opts, 0), MPROC_EINVAL);
  assert_mproc_ok(mproc_queue_opts_set_capacity(opts, 4096));
  assert_mproc_ok(mproc_queue_opts_set_maxsize(opts, 1));
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, opts));
  mproc_queue_opts_free(opts);

  assert_mproc_ok(mproc_queue_join(q, 0)); /* nothing put yet: returns at once */
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_queue_get(q, &m, 0), MPROC_EEMPTY);
  size_t max = 0;
  assert_mproc_ok(mproc_queue_max_message(q, &max));
  char *big = calloc(max + 1, 1);
  assert_non_null(big);
  assert_mproc_code(mproc_queue_put(q, big, max + 1, 0), MPROC_ETOOBIG);
  free(big);
  assert_mproc_ok(mproc_queue_put(q, "hello", 5, 0));
  assert_mproc_code(mproc_queue_put(q, "again", 5, 0), MPROC_EFULL);
  assert_mproc_code(mproc_queue_join(q, 0), MPROC_ETIMEDOUT);
  size_t len = 0;
  char small[2];
  assert_mproc_code(mproc_queue_get_into(q, small, sizeof small, &len, 0), MPROC_ETOOBIG);
  assert_int_equal(len, 5);
  assert_mproc_ok(mproc_queue_get(q, &m, 0));
  mproc_msg_free(m);
  assert_mproc_ok(mproc_queue_task_done(q));
  assert_mproc_code(mproc_queue_task_done(q), MPROC_ESTATE);
  assert_mproc_ok(mproc_queue_join(q, 0));
  assert_mproc_ok(mproc_queue_close(q));
  assert_mproc_code(mproc_queue_put(q, "x", 1, 0), MPROC_ECLOSED);
  assert_mproc_code(mproc_queue_get(q, &m, 0), MPROC_ECLOSED);
  mproc_queue_free(q);
  assert_mproc_code(mproc_queue_open(&q, doc_name("never-made")), MPROC_ENOENT);
}

/* mproc/connection.h */
static void connection_errors(void **state) {
  (void)state;
  mproc_conn_t *recv_end = NULL, *send_end = NULL;
  assert_mproc_ok(mproc_conn_pipe(&recv_end, &send_end, 0));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_send(recv_end, "x", 1, 0), MPROC_ENOTSUP);
  assert_mproc_code(mproc_conn_recv(send_end, &m, 0), MPROC_ENOTSUP);
  assert_mproc_code(mproc_conn_poll(recv_end, 0), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_conn_send(send_end, "0123456789", 10, 0));
  char small[4];
  size_t len = 0;
  assert_mproc_code(mproc_conn_recv_into(recv_end, small, sizeof small, &len, 0), MPROC_ETOOBIG);
  assert_int_equal(len, 10);
  assert_mproc_ok(mproc_conn_recv(recv_end, &m, 0)); /* the message stayed */
  mproc_msg_free(m);
  assert_mproc_ok(mproc_conn_close(send_end));
  assert_mproc_code(mproc_conn_recv(recv_end, &m, 60000), MPROC_EOF);
  assert_mproc_code(mproc_conn_send(send_end, "x", 1, 0), MPROC_ECLOSED);
  mproc_conn_free(recv_end);
  mproc_conn_free(send_end);

  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  mproc_conn_free(b);
  assert_mproc_code(mproc_conn_send(a, "x", 1, 60000), MPROC_EPIPE);
  mproc_conn_free(a);
}

/* mproc/shm.h */
static void shm_errors(void **state) {
  (void)state;
  mproc_shm_t *shm = NULL;
  assert_mproc_code(mproc_shm_new(&shm, 0, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_shm_open(&shm, doc_name("never-made")), MPROC_ENOENT);
}

/* mproc/shared_containers.h */
static void container_errors(void **state) {
  (void)state;
  mproc_container_opts_t *opts = NULL;
  assert_mproc_ok(mproc_container_opts_new(&opts));
  assert_mproc_code(mproc_container_opts_set_limit(opts, 100), MPROC_EINVAL);
  mproc_container_opts_free(opts);

  mproc_dict_t *d = NULL;
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_dict_new(&d, NULL));
  assert_mproc_code(mproc_dict_get(d, "k", 1, &m), MPROC_ENOTFOUND);
  assert_mproc_code(mproc_dict_delete(d, "k", 1), MPROC_ENOTFOUND);
  assert_mproc_code(mproc_dict_replace(d, "k", 1, "v", 1, "w", 1), MPROC_ENOTFOUND);
  assert_mproc_ok(mproc_dict_set(d, "k", 1, "value", 5));
  assert_mproc_code(mproc_dict_add(d, "k", 1, "other", 5), MPROC_EEXIST);
  assert_mproc_code(mproc_dict_replace(d, "k", 1, "wrong", 5, "w", 1), MPROC_ESTATE);
  char small[2];
  size_t len = 0;
  assert_mproc_code(mproc_dict_get_into(d, "k", 1, small, sizeof small, &len), MPROC_ETOOBIG);
  assert_int_equal(len, 5);
  mproc_items_t *items = NULL;
  const void *data = NULL;
  assert_mproc_ok(mproc_dict_items(d, &items));
  assert_mproc_code(mproc_items_key(items, 1, &data, &len), MPROC_ERANGE);
  mproc_items_free(items);
  mproc_dict_free(d);

  mproc_list_t *l = NULL;
  assert_mproc_ok(mproc_list_new(&l, NULL));
  assert_mproc_code(mproc_list_pop(l, -1, NULL), MPROC_ERANGE);
  assert_mproc_code(mproc_list_get(l, 0, &m), MPROC_ERANGE);
  assert_mproc_code(mproc_list_set(l, 0, "x", 1), MPROC_ERANGE);
  assert_mproc_ok(mproc_list_insert(l, 99, "x", 1)); /* clamped, never ERANGE */
  mproc_list_free(l);
}

/* mproc/pool.h and mproc/pool_mpi.h */
static void pool_errors(void **state) {
  (void)state;
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_code(mproc_pool_opts_set_start_method(opts, (mproc_start_method_t)99),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_pool_opts_set_backend(opts, (mproc_pool_backend_t)99), MPROC_EINVAL);
  assert_mproc_ok(mproc_pool_opts_set_backend(opts, MPROC_POOL_BACKEND_LOCAL));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 1));
  mproc_task_opts_t *task_opts = NULL;
  assert_mproc_ok(mproc_task_opts_new(&task_opts));
  assert_mproc_code(mproc_task_opts_set_timeout(task_opts, -2), MPROC_EINVAL);
  mproc_task_opts_free(task_opts);
  mproc_map_opts_t *map_opts = NULL;
  assert_mproc_ok(mproc_map_opts_new(&map_opts));
  assert_mproc_code(mproc_map_opts_set_timeout(map_opts, -5), MPROC_EINVAL);
  assert_mproc_ok(mproc_map_opts_set_timeout(map_opts, 1000));

  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  mproc_future_t *f = NULL;
  assert_mproc_code(mproc_pool_apply_async(pool, "doc_no_such_task", "x", 1, NULL, &f),
                    MPROC_ENOTFOUND);
  assert_mproc_code(mproc_pool_apply_async(pool, "doc_exit_0", "x", 1, NULL, &f), MPROC_ETYPE);
  assert_mproc_code(mproc_pool_join(pool, 0), MPROC_ESTATE);
  const void *inputs[] = {"a", "b"};
  const size_t lens[] = {1, 1};
  mproc_imap_t *it = NULL;
  assert_mproc_code(mproc_pool_imap(pool, "doc_echo", inputs, lens, 2, map_opts, &it),
                    MPROC_EINVAL);
  mproc_map_opts_free(map_opts);
  assert_mproc_ok(mproc_pool_imap(pool, "doc_echo", inputs, lens, 2, NULL, &it));
  size_t index = 0;
  mproc_msg_t *m = NULL;
  for (int i = 0; i < 2; ++i) {
    assert_mproc_ok(mproc_imap_next(it, &index, &m, 60000));
    mproc_msg_free(m);
  }
  assert_mproc_code(mproc_imap_next(it, &index, &m, 60000), MPROC_EOF);
  mproc_imap_free(it);

  assert_mproc_ok(mproc_pool_apply_async(pool, "doc_echo", "x", 1, NULL, &f));
  assert_mproc_ok(mproc_future_wait(f, 60000));
  int code = -1;
  const char *message = NULL;
  assert_mproc_ok(mproc_future_error(f, &code, &message));
  assert_int_equal(code, 0);
  mproc_future_free(f);
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_code(mproc_pool_apply_async(pool, "doc_echo", "x", 1, NULL, &f), MPROC_ESTATE);
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

/* mproc/authkey.h */
static void authkey_errors(void **state) {
  (void)state;
  assert_mproc_code(mproc_authkey_set("k", 0), MPROC_EINVAL);
  assert_mproc_code(mproc_authkey_set(NULL, 1), MPROC_EINVAL);
  size_t len = 0;
  char one[1];
  assert_mproc_code(mproc_authkey_get(one, sizeof one, &len), MPROC_ETOOBIG);
  assert_true(len > 1);
  assert_mproc_code(mproc_authkey_get(NULL, 1, &len), MPROC_EINVAL);

  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "doc_exit_0", NULL, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_code(mproc_process_set_authkey(p, "key", 3), MPROC_ESTATE);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
}

/* mproc/listener.h */
static void listener_errors(void **state) {
  (void)state;
  mproc_net_opts_t *opts = NULL;
  assert_mproc_ok(mproc_net_opts_new(&opts));
  assert_mproc_code(mproc_net_opts_set_max_pending(opts, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_max_pending(opts, 1025), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_handshake_timeout(opts, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_backlog(opts, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_max_message(opts, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_authkey(opts, "k", 0), MPROC_EINVAL);
  mproc_net_opts_free(opts);

  mproc_listener_t *l = NULL;
  assert_mproc_code(mproc_listener_new(&l, "bogus:address", NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_listener_accept(l, &c, 0), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_listener_close(l));
  int fd = -1;
  assert_mproc_code(mproc_listener_accept(l, &c, 0), MPROC_ECLOSED);
  assert_mproc_code(mproc_listener_fileno(l, &fd), MPROC_ECLOSED);
  mproc_listener_free(l);
}

/* mproc/wait.h */
static void wait_errors(void **state) {
  (void)state;
  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t count = 0, slot = 0;
  assert_mproc_code(mproc_waitset_wait(w, 0, NULL, 0, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_remove(w, 5), MPROC_EINVAL);

  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "doc_exit_0", NULL, NULL));
  assert_mproc_code(mproc_waitset_add_process(w, p, &slot), MPROC_ESTATE);
  mproc_process_free(p);

  mproc_conn_t *recv_end = NULL, *send_end = NULL;
  assert_mproc_ok(mproc_conn_pipe(&recv_end, &send_end, 0));
  assert_mproc_code(mproc_waitset_add_conn(w, send_end, &slot), MPROC_EINVAL);
  assert_mproc_ok(mproc_waitset_add_conn(w, recv_end, &slot));
  assert_mproc_code(mproc_waitset_wait(w, 0, NULL, 1, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_wait(w, 0, NULL, 0, &count), MPROC_ETIMEDOUT);
  assert_int_equal(count, 0);
  mproc_conn_free(recv_end);
  mproc_conn_free(send_end);

  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  assert_mproc_ok(mproc_listener_close(l));
  assert_mproc_code(mproc_waitset_add_listener(w, l, &slot), MPROC_ECLOSED);
  mproc_listener_free(l);
  mproc_waitset_free(w);
}

/* mproc/command.h: what the OS says when the start fails, named after the
 * file at fault. */
static void command_start_os_errors(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("file modes, directories as files and exec formats are POSIX's");
#else
  char path[128];
  snprintf(path, sizeof path, "/tmp/mproc-doc-%lld-not-a-program", (long long)mproc_getpid());
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("\x7f\x01\x02 not an executable format\n", f);
  fclose(f);
  const char *const argv[] = {path, NULL};
  mproc_command_t *cmd = NULL;

  assert_int_equal(chmod(path, 0644), 0); /* no execute bit: even root may not exec it */
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_EACCES);
  mproc_command_free(cmd);

  assert_int_equal(chmod(path, 0755), 0); /* executable, in no format the OS runs */
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOEXEC);
  mproc_command_free(cmd);

  /* Stdout to a path under a file, and to a directory. */
  const char *const cat[] = TEST_CAT_ARGV;
  char under_file[160];
  snprintf(under_file, sizeof under_file, "%s/out", path);
  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio_file(opts, MPROC_STDOUT, under_file, 0));
  assert_mproc_ok(mproc_command_new(&cmd, cat, opts));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOTDIR);
  mproc_command_free(cmd);
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio_file(opts, MPROC_STDOUT, "/tmp", 0));
  assert_mproc_ok(mproc_command_new(&cmd, cat, opts));
  assert_mproc_code(mproc_command_start(cmd), MPROC_EISDIR);
  mproc_command_free(cmd);
  mproc_command_opts_free(opts);
  unlink(path);
#endif
}

/* mproc/listener.h: an address taken, a path too long for a socket, a
 * peer with another key, and nobody listening. */
static void listener_os_errors(void **state) {
  (void)state;
  mproc_listener_t *l = NULL, *again = NULL;
  const char *address = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  assert_mproc_ok(mproc_listener_address(l, &address));
  assert_mproc_code(mproc_listener_new(&again, address, NULL), MPROC_EADDRINUSE);

  char long_path[400];
  memset(long_path, 'x', sizeof long_path - 1);
  memcpy(long_path, "unix:/tmp/", 10);
  long_path[sizeof long_path - 1] = '\0';
  assert_mproc_code(mproc_listener_new(&again, long_path, NULL), MPROC_ENAMETOOLONG);

  mproc_net_opts_t *other_key = NULL;
  assert_mproc_ok(mproc_net_opts_new(&other_key));
  assert_mproc_ok(mproc_net_opts_set_authkey(other_key, "not the key", 11));
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_conn_connect(&c, address, other_key, 60000), MPROC_EAUTH);
  mproc_net_opts_free(other_key);
  mproc_listener_free(l);

#ifdef __linux__
  assert_mproc_code(mproc_conn_connect(&c, doc_abstract_nobody(), NULL, 60000),
                    MPROC_ECONNREFUSED);
#endif
}

/* mproc/pool.h: a worker that dies, and a task's code that no table
 * lists. */
static void pool_task_failures(void **state) {
  (void)state;
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 1));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_pool_apply(pool, "doc_own_code", "", 0, NULL, &m, 60000), MPROC_ETASK);
  assert_non_null(strstr(mproc_last_error(), "-123456"));
#ifndef _WIN32
  assert_mproc_code(mproc_pool_apply(pool, "doc_die", "", 0, NULL, &m, 60000), MPROC_EWORKER);
#endif
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

/* mproc/sync.h and mproc/common.h: a lock whose owner died holding it is
 * acquired with MPROC_EOWNERDEAD, the one negative success. */
static void lock_owner_died(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_lock(args, lock));
  mproc_process_t *p = NULL;
  int code = -1;
  assert_mproc_ok(mproc_process_new(&p, "doc_die_holding", args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  assert_mproc_code(mproc_lock_acquire(lock, 60000), MPROC_EOWNERDEAD);
  assert_mproc_ok(mproc_lock_release(lock)); /* it was held */
  mproc_process_free(p);
  mproc_args_free(args);
  mproc_lock_free(lock);
}

/* The codes of mproc_errno_t this file does not provoke, each with why;
 * tests/check_documented_errors.py fails when a code is neither provoked
 * above nor listed here, so a new code cannot go unnoticed. */
static const struct {
  int code;
  const char *why;
} not_provoked[] = {
    {MPROC_EPERM, "needs a process of another user, and the tests may run as root"},
    {MPROC_ESRCH, "no call returns it any more (mproc/common.h): a reaped child counts as ended"},
    {MPROC_EINTR, "documented as never returned: blocking calls restart by themselves"},
    {MPROC_EIO, "an OS error outside the table: none is cheap to cause on purpose"},
    {MPROC_E2BIG, "needs a command line over the OS limit (megabytes)"},
    {MPROC_EAGAIN, "needs the system out of processes or threads"},
    {MPROC_ENOMEM, "needs memory exhausted"},
    {MPROC_EFAULT, "a bad address from the OS: the library never passes one"},
    {MPROC_ENFILE, "needs the system-wide file table full"},
    {MPROC_EMFILE, "needs the descriptor limit lowered for the whole test process"},
    {MPROC_ENOSPC, "needs /dev/shm full"},
    {MPROC_ENOSYS, "needs a kernel without the system call"},
    {MPROC_ECONNRESET, "a peer resetting a TCP connection: seen as MPROC_EOF or MPROC_EPIPE"},
    {MPROC_ECORRUPT, "needs shared memory damaged on purpose (the fuzz targets do)"},
    {MPROC_EBOOTSTRAP, "needs a child program without mproc_main (test_process.c has one)"},
    {MPROC_EINTERNAL, "a bug in mproc: nothing provokes it on purpose"},
};

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(common_conventions),
      cmocka_unit_test(args_errors),
      cmocka_unit_test(args_descriptor_closed_after_start),
      cmocka_unit_test(task_errors),
      cmocka_unit_test(process_errors),
      cmocka_unit_test_teardown(exit_status_lost_when_sigchld_is_ignored, restore_sigchld),
      cmocka_unit_test(command_errors),
      cmocka_unit_test(sync_errors),
      cmocka_unit_test(queue_errors),
      cmocka_unit_test(connection_errors),
      cmocka_unit_test(shm_errors),
      cmocka_unit_test(container_errors),
      cmocka_unit_test(pool_errors),
      cmocka_unit_test(authkey_errors),
      cmocka_unit_test(listener_errors),
      cmocka_unit_test(wait_errors),
      cmocka_unit_test(command_start_os_errors),
      cmocka_unit_test(listener_os_errors),
      cmocka_unit_test(pool_task_failures),
      cmocka_unit_test(lock_owner_died),
  };
  for (size_t i = 0; i < sizeof not_provoked / sizeof not_provoked[0]; ++i) {
    if (not_provoked[i].why[0] == '\0') {
      fprintf(stderr, "not_provoked[%zu] (%s) does not say why\n", i,
              mproc_err_name(not_provoked[i].code));
      return 1;
    }
  }
  return cmocka_run_group_tests_name("documented_errors", tests, NULL, NULL);
}
