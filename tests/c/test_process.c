/* Processes: the behaviour suite, run once per start method (argv[1]). */
#include "harness.h"
#include "fault_scenario.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#ifndef _WIN32
#include <sys/wait.h>
#endif

/* ---- Tasks the children run --------------------------------------------- */

MPROC_TASK(return_arg) {
  int64_t code = 0;
  if (mproc_args_get_i64(args, 0, &code) != 0) return 200;
  return (int)code;
}

/* Blocks until `c` closes or delivers a message, then frees it; the task's
 * exit code: 0 for a message, 3 otherwise. */
static int wait_for_message(mproc_conn_t *c) {
  mproc_msg_t *m = NULL;
  int rc = mproc_conn_recv(c, &m, MPROC_FOREVER);
  mproc_msg_free(m);
  mproc_conn_free(c);
  return rc == 0 ? 0 : 3;
}

/* Blocks until the connection at argument 0 closes or delivers a message. */
MPROC_TASK(wait_on_conn) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 201;
  return wait_for_message(c);
}

static int send_text(mproc_conn_t *c, const char *text) {
  return mproc_conn_send(c, text, strlen(text), 10000);
}

/* Checks every kind of argument and reports on the connection in arg 0. */
MPROC_TASK(check_args) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 202;
  char report[512] = "ok";
  const void *data;
  size_t len;
  const char *s;
  int64_t i;
  double f;
  int fd;
  mproc_arg_type_t type;
  if (test_args_count(args) != 8) strcpy(report, "count");
  else if (mproc_args_get_bytes(args, 1, &data, &len) || len != 5 ||
           memcmp(data, "a\0b\0c", 5))
    strcpy(report, "bytes");
  else if (mproc_args_get_bytes(args, 2, &data, &len) || len != 0)
    strcpy(report, "empty bytes");
  else if (mproc_args_get_str(args, 3, &s) || strcmp(s, "héllo wörld"))
    strcpy(report, "str");
  else if (mproc_args_get_i64(args, 4, &i) || i != INT64_MIN)
    strcpy(report, "i64");
  else if (mproc_args_get_f64(args, 5, &f) || f != -0.125)
    strcpy(report, "f64");
  else if (mproc_args_get_fd(args, 6, &fd) || write(fd, "via fd", 6) != 6)
    strcpy(report, "fd");
  else if (mproc_args_get_i64(args, 7, &i) || i != INT64_MAX)
    strcpy(report, "i64 max");
  /* Reading with the wrong type is an error, not a crash. */
  else if (mproc_args_get_i64(args, 3, &i) != MPROC_ETYPE)
    strcpy(report, "wrong type accepted");
  else if (strstr(mproc_last_error(), "string") == NULL)
    strcpy(report, "wrong-type message does not name the type");
  else if (mproc_args_get_str(args, 99, &s) != MPROC_ERANGE)
    strcpy(report, "bad index accepted");
  else if (mproc_args_type(args, 6, &type) || type != MPROC_ARG_FD)
    strcpy(report, "type");
  send_text(c, report);
  mproc_conn_free(c);
  return 0;
}

/* Sends this process's name, daemon flag and parent pid. */
MPROC_TASK(report_identity) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 203;
  char text[256];
  snprintf(text, sizeof text, "%s|%d|%lld", mproc_current_process_name(),
           mproc_current_process_is_daemon(), (long long)mproc_parent_pid());
  send_text(c, text);
  mproc_conn_free(c);
  return 0;
}

/* A daemon tries to start a child; exits 0 if refused with ESTATE. */
MPROC_TASK(daemon_starts_child) {
  (void)args;
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, "return_arg", NULL, NULL) != 0) return 10;
  int rc = mproc_process_start(p);
  mproc_process_free(p);
  return rc == MPROC_ESTATE ? 0 : 11;
}

/* Starts a daemon grandchild running wait_on_conn, sends its pid on arg 0,
 * then waits forever: the test kills this process and watches the
 * grandchild die with it. */
MPROC_TASK(parent_of_daemon) {
  mproc_conn_t *report = NULL;
  if (mproc_args_get_conn(args, 0, &report) != 0) return 204;
  mproc_conn_t *keep_a, *keep_b;
  if (mproc_conn_pipe(&keep_a, &keep_b, 1) != 0) return 205;
  mproc_args_t *child_args;
  mproc_args_new(&child_args);
  mproc_args_add_conn(child_args, keep_b);
  mproc_process_opts_t *opts;
  mproc_process_opts_new(&opts);
  mproc_process_opts_set_daemon(opts, 1);
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, "wait_on_conn", child_args, opts) != 0) return 206;
  mproc_process_opts_free(opts);
  if (mproc_process_start(p) != 0) return 207;
  int64_t pid = 0;
  mproc_process_pid(p, &pid);
  char text[32];
  snprintf(text, sizeof text, "%lld", (long long)pid);
  send_text(report, text);
  test_block_forever();
}

/* Starts a grandchild command that sleeps, sends its pid on arg 0, waits. */
MPROC_TASK(parent_of_sleeper) {
  mproc_conn_t *report = NULL;
  if (mproc_args_get_conn(args, 0, &report) != 0) return 208;
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "sleep", "1000000", NULL};
#else
  const char *argv[] = {"sleep", "1000", NULL};
#endif
  mproc_command_t *cmd = NULL;
  if (mproc_command_new(&cmd, argv, NULL) != 0 || mproc_command_start(cmd) != 0) return 209;
  int64_t pid = 0;
  mproc_command_pid(cmd, &pid);
  char text[32];
  snprintf(text, sizeof text, "%lld", (long long)pid);
  send_text(report, text);
  test_block_forever();
}

/* Lists its own descriptors from 3 up on the connection in arg 0. */
MPROC_TASK(list_own_fds) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 210;
  int own = -1;
  mproc_conn_fileno(c, &own);
  char text[1024] = "";
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd == own || !test_fd_is_open(fd)) continue;
    size_t used = strlen(text);
    snprintf(text + used, sizeof text - used, "%d ", fd);
  }
  send_text(c, text);
  mproc_conn_free(c);
  return 0;
}

/* ---- Helpers ------------------------------------------------------------ */

static mproc_process_t *start_task(const char *task, mproc_args_t *args,
                                   mproc_process_opts_t *opts) {
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, task, args, opts));
  assert_mproc_ok(mproc_process_start(p));
  return p;
}

/* When told to, kills its own parent (under forkserver: the server), says
 * so once the parent is gone, then waits like wait_on_conn. (Told, because
 * the server must first finish answering the start.) */
MPROC_TASK(kill_parent_then_wait) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 201;
  mproc_msg_t *order = NULL;
  if (mproc_conn_recv(c, &order, 60000) != 0) return 204;
  mproc_msg_free(order);
  int64_t parent = test_os_ppid();
  if (test_kill_process(parent) != 0 || !test_wait_gone(parent, 20000)) return 202;
  if (send_text(c, "killed") != 0) return 203;
  return wait_for_message(c);
}

/* Starts return_arg(5) by name and exits with its exit code. */
MPROC_TASK(start_grandchild) {
  (void)args;
  mproc_args_t *a = NULL;
  if (mproc_args_new(&a) != 0 || mproc_args_add_i64(a, 5) != 0) return 210;
  mproc_process_t *p = NULL;
  int code = 211;
  if (mproc_process_new(&p, "return_arg", a, NULL) == 0 && mproc_process_start(p) == 0 &&
      mproc_process_join(p, 60000) == 0)
    mproc_process_exitcode(p, &code);
  mproc_process_free(p);
  return code;
}

/* Says "ready" once its task runs, then waits like wait_on_conn. */
MPROC_TASK(ready_then_wait) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 201;
  if (send_text(c, "ready") != 0) return 203;
  return wait_for_message(c);
}

/* Receives one message as a NUL-terminated string into buf. */
static void recv_text(mproc_conn_t *c, char *buf, size_t cap) {
  size_t len = 0;
  assert_mproc_ok(mproc_conn_recv_into(c, buf, cap - 1, &len, 30000));
  buf[len] = '\0';
}

static mproc_process_t *start_waiter(mproc_conn_t **keep, mproc_process_opts_t *opts) {
  return test_start_with_pipe("wait_on_conn", opts, keep);
}

/* ---- Tests -------------------------------------------------------------- */

static void task_return_value_is_the_exit_code(void **state) {
  (void)state;
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 42));
  assert_int_equal(test_run_task("return_arg", args), 42);
}

static void every_argument_type_arrives(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  int fds[2];
  assert_int_equal(test_pipe(fds), 0);
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_conn(args, b));
  assert_mproc_ok(mproc_args_add_bytes(args, "a\0b\0c", 5));
  assert_mproc_ok(mproc_args_add_bytes(args, NULL, 0));
  assert_mproc_ok(mproc_args_add_str(args, "héllo wörld"));
  assert_mproc_ok(mproc_args_add_i64(args, INT64_MIN));
  assert_mproc_ok(mproc_args_add_f64(args, -0.125));
  assert_mproc_ok(mproc_args_add_fd(args, fds[1]));
  assert_mproc_ok(mproc_args_add_i64(args, INT64_MAX));
  close(fds[1]); /* the list holds its own copy */
  mproc_conn_free(b);
  assert_int_equal(test_args_count(args), 8);
  assert_int_equal(test_run_task("check_args", args), 0);
  char report[512];
  recv_text(a, report, sizeof report);
  assert_string_equal(report, "ok");
  char via_fd[16] = "";
  assert_int_equal(read(fds[0], via_fd, sizeof via_fd - 1), 6);
  assert_string_equal(via_fd, "via fd");
  close(fds[0]);
  mproc_conn_free(a);
}

static void starting_twice_is_a_state_error(void **state) {
  (void)state;
  mproc_process_t *p = start_task("return_arg", NULL, NULL);
  assert_mproc_code(mproc_process_start(p), MPROC_ESTATE);
  assert_non_null(strstr(mproc_last_error(), "twice"));
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
}

static void using_a_process_before_start_is_a_state_error(void **state) {
  (void)state;
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "return_arg", NULL, NULL));
  int code, alive = 1, fd;
  int64_t pid;
  assert_mproc_code(mproc_process_join(p, 0), MPROC_ESTATE);
  assert_mproc_code(mproc_process_exitcode(p, &code), MPROC_ESTATE);
  assert_mproc_code(mproc_process_pid(p, &pid), MPROC_ESTATE);
  assert_mproc_code(mproc_process_terminate(p), MPROC_ESTATE);
  assert_mproc_code(mproc_process_sentinel(p, &fd), MPROC_ESTATE);
  assert_mproc_ok(mproc_process_is_alive(p, &alive));
  assert_int_equal(alive, 0);
  mproc_process_free(p);
}

static void unknown_task_is_not_found(void **state) {
  (void)state;
  mproc_process_t *p = NULL;
  assert_mproc_code(mproc_process_new(&p, "no_such_task", NULL, NULL), MPROC_ENOTFOUND);
  assert_non_null(strstr(mproc_last_error(), "no_such_task"));
  assert_null(p);
  mproc_task_fn fn;
  assert_mproc_code(mproc_task_lookup("no_such_task", &fn, NULL), MPROC_ENOTFOUND);
  assert_mproc_ok(mproc_task_lookup("return_arg", &fn, NULL));
}

MPROC_POOL_TASK(process_suite_pool_task) { return mproc_result_set(out, in, len); }

static void registering_a_name_twice_is_refused(void **state) {
  (void)state;
  mproc_task_fn fn;
  assert_mproc_ok(mproc_task_lookup("return_arg", &fn, NULL));
  assert_mproc_ok(mproc_task_register("return_arg", fn, NULL)); /* same: harmless */
  mproc_task_fn other;
  assert_mproc_ok(mproc_task_lookup("wait_on_conn", &other, NULL));
  assert_mproc_code(mproc_task_register("return_arg", other, NULL), MPROC_EEXIST);
  assert_mproc_code(mproc_task_register(NULL, fn, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_task_register("x", NULL, NULL), MPROC_EINVAL);
  /* One namespace: a name taken by a pool task is taken for process tasks,
   * and the other way round; the message names the kind that has it. */
  mproc_pool_fn pool_fn;
  assert_mproc_ok(mproc_task_lookup("process_suite_pool_task", NULL, &pool_fn));
  assert_mproc_code(mproc_task_register("process_suite_pool_task", fn, NULL), MPROC_EEXIST);
  assert_non_null(strstr(mproc_last_error(), "pool task"));
  assert_mproc_code(mproc_task_register("return_arg", NULL, pool_fn), MPROC_EEXIST);
  assert_non_null(strstr(mproc_last_error(), "process task"));
  assert_mproc_code(mproc_task_register("x", fn, pool_fn), MPROC_EINVAL);
}

static void a_task_of_the_other_kind_is_a_type_error(void **state) {
  (void)state;
  mproc_task_fn fn = NULL;
  mproc_pool_fn pool_fn = NULL;
  assert_mproc_code(mproc_task_lookup("process_suite_pool_task", &fn, NULL), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "is a pool task"));
  assert_mproc_code(mproc_task_lookup("return_arg", NULL, &pool_fn), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "is a process task"));
  /* Asking for either kind gives the one it is. */
  assert_mproc_ok(mproc_task_lookup("process_suite_pool_task", &fn, &pool_fn));
  assert_null(fn);
  assert_non_null(pool_fn);
  assert_mproc_ok(mproc_task_lookup("return_arg", &fn, &pool_fn));
  assert_non_null(fn);
  assert_null(pool_fn);
  assert_mproc_code(mproc_task_lookup("return_arg", NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_task_lookup("nothing_here", &fn, &pool_fn), MPROC_ENOTFOUND);
  /* A process runs process tasks only. */
  mproc_process_t *p = NULL;
  assert_mproc_code(mproc_process_new(&p, "process_suite_pool_task", NULL, NULL), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "MPROC_TASK"));
  assert_null(p);
}

static void join_times_out_while_the_child_runs(void **state) {
  (void)state;
  mproc_conn_t *keep;
  mproc_process_t *p = start_waiter(&keep, NULL);
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_process_join(p, 300), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 290);
  assert_true(waited < 5000);
  int code, alive = 0;
  assert_mproc_code(mproc_process_exitcode(p, &code), MPROC_ESTATE);
  assert_mproc_ok(mproc_process_is_alive(p, &alive));
  assert_int_equal(alive, 1);
  assert_mproc_code(mproc_process_join(p, 0), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_conn_send(keep, "go", 2, 1000));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  mproc_conn_free(keep);
  mproc_process_free(p);
}

static void terminate_and_kill_give_minus_the_signal(void **state) {
  (void)state;
  static const struct {
    int (*stop)(mproc_process_t *);
    int expected;
  } cases[] = {{mproc_process_terminate, -SIGTERM}, {mproc_process_kill, -SIGKILL}};
  for (size_t i = 0; i < 2; ++i) {
    mproc_conn_t *keep;
    mproc_process_t *p = start_waiter(&keep, NULL);
    int alive = 0, code = 0;
    assert_mproc_ok(mproc_process_is_alive(p, &alive));
    assert_int_equal(alive, 1);
    assert_mproc_ok(cases[i].stop(p));
    assert_mproc_ok(mproc_process_join(p, 60000));
    assert_mproc_ok(mproc_process_is_alive(p, &alive));
    assert_int_equal(alive, 0);
    assert_mproc_ok(mproc_process_exitcode(p, &code));
    assert_int_equal(code, cases[i].expected);
    /* Signalling a process that ended is harmless. */
    assert_mproc_ok(mproc_process_terminate(p));
    mproc_conn_free(keep);
    mproc_process_free(p);
  }
}

static void names_and_identity(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_conn(args, b));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "report_identity", args, NULL));
  const char *name = NULL;
  assert_mproc_ok(mproc_process_name(p, &name));
  assert_true(strncmp(name, "Process-", 8) == 0);
  char expected[512];
  snprintf(expected, sizeof expected, "%s|0|%lld", name, (long long)mproc_getpid());
  assert_mproc_ok(mproc_process_start(p));
  char got[512];
  recv_text(a, got, sizeof got);
  assert_string_equal(got, expected);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);

  /* A chosen name, and the daemon flag, reach the child. */
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_conn(args, b));
  mproc_process_opts_t *opts;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_ok(mproc_process_opts_set_name(opts, "worker-7"));
  assert_mproc_ok(mproc_process_opts_set_daemon(opts, 1));
  assert_mproc_ok(mproc_process_new(&p, "report_identity", args, opts));
  mproc_process_opts_free(opts);
  int daemon = 0;
  assert_mproc_ok(mproc_process_daemon(p, &daemon));
  assert_int_equal(daemon, 1);
  assert_mproc_ok(mproc_process_start(p));
  recv_text(a, got, sizeof got);
  snprintf(expected, sizeof expected, "worker-7|1|%lld", (long long)mproc_getpid());
  assert_string_equal(got, expected);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
  mproc_conn_free(a);
  mproc_conn_free(b);
  assert_string_equal(mproc_current_process_name(), "MainProcess");
  assert_int_equal(mproc_parent_pid(), 0);
}

static void a_daemon_may_not_start_children(void **state) {
  (void)state;
  mproc_process_opts_t *opts;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_ok(mproc_process_opts_set_daemon(opts, 1));
  mproc_process_t *p = start_task("daemon_starts_child", NULL, opts);
  mproc_process_opts_free(opts);
  int code = -1;
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  mproc_process_free(p);
}

struct daemon_starter {
  mproc_process_t *daemon;
  mproc_conn_t *keep;
  long tid;
  int ready;
};

static void *start_daemon_and_leave(void *arg) {
  struct daemon_starter *s = arg;
#ifndef _WIN32
  s->tid = (long)syscall(SYS_gettid);
#endif
  mproc_process_opts_t *opts;
  if (mproc_process_opts_new(&opts) != 0) return NULL;
  if (mproc_process_opts_set_daemon(opts, 1) == 0)
    s->daemon = test_start_with_pipe("ready_then_wait", opts, &s->keep);
  mproc_process_opts_free(opts);
  /* Leave only once the task runs: whatever ties it to this thread is set
   * up by then. */
  mproc_msg_t *m = NULL;
  if (mproc_conn_recv(s->keep, &m, 60000) == 0) s->ready = 1;
  mproc_msg_free(m);
  return NULL;
}

/* The kernel's parent-death signal follows the thread that started a
 * child; a daemon started from a thread that then ends must live on, and
 * must take signals as any other child does. */
static void a_daemon_outlives_the_thread_that_started_it(void **state) {
  (void)state;
  struct daemon_starter s = {NULL, NULL, 0, 0};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, start_daemon_and_leave, &s), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_non_null(s.daemon);
  assert_true(s.ready);
#ifndef _WIN32 /* Windows ties nothing to a thread; a joined thread is gone */
  /* Wait until the kernel has released the thread: by then any death
   * signal tied to it has been sent. */
  char task_dir[64];
  snprintf(task_dir, sizeof task_dir, "/proc/self/task/%d", (int)s.tid);
  struct stat st;
  int64_t give_up = test_now_ms() + 20000;
  while (stat(task_dir, &st) == 0 && test_now_ms() < give_up) sched_yield();
  assert_int_not_equal(stat(task_dir, &st), 0);
#endif
  int alive = 0;
  assert_mproc_ok(mproc_process_is_alive(s.daemon, &alive));
  assert_int_equal(alive, 1);
  assert_mproc_ok(mproc_process_terminate(s.daemon));
  assert_mproc_ok(mproc_process_join(s.daemon, 20000));
  int code = 0;
  assert_mproc_ok(mproc_process_exitcode(s.daemon, &code));
  assert_int_equal(code, -SIGTERM);
  mproc_conn_free(s.keep);
  mproc_process_free(s.daemon);
}

/* A forkserver child whose server dies runs on; join still waits for its
 * end, and its exit status is reported lost rather than made up. */
static void a_forkserver_child_outlives_its_server(void **state) {
  (void)state;
  if (mproc_get_start_method() != MPROC_START_FORKSERVER)
    test_skip_because("about forkserver children only");
  mproc_conn_t *keep;
  mproc_process_t *p = test_start_with_pipe("kill_parent_then_wait", NULL, &keep);
  assert_mproc_ok(mproc_conn_send(keep, "kill", 4, 1000));
  char text[64];
  recv_text(keep, text, sizeof text);
  assert_string_equal(text, "killed");
  assert_mproc_code(mproc_process_join(p, 300), MPROC_ETIMEDOUT);
  int alive = 0, code = 0;
  assert_mproc_ok(mproc_process_is_alive(p, &alive));
  assert_int_equal(alive, 1);
  assert_mproc_ok(mproc_conn_send(keep, "go", 2, 1000));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_code(mproc_process_exitcode(p, &code), MPROC_ECHILD);
  mproc_conn_free(keep);
  mproc_process_free(p);
  /* The next start brings up a new server. */
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 7));
  assert_int_equal(test_run_task("return_arg", args), 7);
}

static atomic_int registry_hammer_stop;

static int do_nothing(const mproc_args_t *args) {
  (void)args;
  return 0;
}

static int never_registered(const mproc_args_t *args) {
  (void)args;
  return 0;
}

/* Keeps the task registry's lock held most of the time: asking a spawn
 * process for the name of an unregistered function scans every task. */
static void *hammer_the_task_registry(void *arg) {
  (void)arg;
  mproc_process_opts_t *opts = NULL;
  if (mproc_process_opts_new(&opts) != 0 ||
      mproc_process_opts_set_start_method(opts, MPROC_START_SPAWN) != 0)
    return NULL;
  while (!atomic_load(&registry_hammer_stop)) {
    mproc_process_t *p = NULL;
    mproc_args_t *a = NULL;
    if (mproc_args_new(&a) != 0) break;
    if (mproc_process_new_fn(&p, never_registered, a, opts) == 0) {
      (void)mproc_process_start(p); /* ENOTSUP, after the scan */
      mproc_process_free(p);
    }
  }
  mproc_process_opts_free(opts);
  return NULL;
}

/* A child forked while another thread held the task registry's lock must
 * still be able to look tasks up (to start children of its own). */
static void fork_children_look_up_tasks_while_a_thread_uses_the_registry(void **state) {
  (void)state;
  if (mproc_get_start_method() != MPROC_START_FORK)
    test_skip_because("about fork children only");
  /* A big registry makes each scan long. */
  for (int i = 0; i < 20000; ++i) {
    char name[32];
    snprintf(name, sizeof name, "filler-%d", i);
    assert_mproc_ok(mproc_task_register(name, do_nothing, NULL));
  }
  atomic_store(&registry_hammer_stop, 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, hammer_the_task_registry, NULL), 0);
  for (int i = 0; i < 40; ++i) {
    mproc_args_t *args;
    assert_mproc_ok(mproc_args_new(&args));
    mproc_process_t *p = NULL;
    int code = -1000;
    assert_mproc_ok(mproc_process_new(&p, "start_grandchild", args, NULL));
    assert_mproc_ok(mproc_process_start(p));
    if (mproc_process_join(p, 20000) != 0) { /* hung in the child: fail, but clean up */
      mproc_process_kill(p);
      mproc_process_join(p, MPROC_FOREVER);
    }
    assert_mproc_ok(mproc_process_exitcode(p, &code));
    mproc_process_free(p);
    if (code != 5) {
      atomic_store(&registry_hammer_stop, 1);
      pthread_join(t, NULL);
      assert_int_equal(code, 5);
    }
  }
  atomic_store(&registry_hammer_stop, 1);
  assert_int_equal(pthread_join(t, NULL), 0);
}

static void a_daemon_dies_when_its_parent_is_killed(void **state) {
  (void)state;
  mproc_conn_t *a;
  mproc_process_t *parent = test_start_with_pipe("parent_of_daemon", NULL, &a);
  char text[64];
  recv_text(a, text, sizeof text);
  int64_t daemon_pid = atoll(text);
  assert_true(daemon_pid > 0);
  assert_false(test_wait_gone(daemon_pid, 0));
  assert_mproc_ok(mproc_process_kill(parent));
  assert_mproc_ok(mproc_process_join(parent, 60000));
  assert_true(test_wait_gone(daemon_pid, 20000));
  mproc_process_free(parent);
  mproc_conn_free(a);
}

static void group_terminate_reaches_grandchildren(void **state) {
  (void)state;
  mproc_process_opts_t *opts;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_ok(mproc_process_opts_set_new_group(opts, 1));
  mproc_conn_t *a;
  mproc_process_t *p = test_start_with_pipe("parent_of_sleeper", opts, &a);
  mproc_process_opts_free(opts);
  char text[64];
  recv_text(a, text, sizeof text);
  int64_t grandchild = atoll(text);
  assert_true(grandchild > 0);
  assert_false(test_wait_gone(grandchild, 0));
  assert_mproc_ok(mproc_process_terminate(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_true(test_wait_gone(grandchild, 20000));
  int code = 0;
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, -SIGTERM);
  mproc_process_free(p);
  mproc_conn_free(a);
}

static void sentinel_becomes_readable_when_the_child_ends(void **state) {
  (void)state;
  mproc_conn_t *keep;
  mproc_process_t *p = start_waiter(&keep, NULL);
  int fd = -1;
  assert_mproc_ok(mproc_process_sentinel(p, &fd));
  assert_int_equal(test_fd_ready(fd, 0), 0);
  assert_mproc_ok(mproc_conn_send(keep, "go", 2, 1000));
  assert_int_equal(test_fd_ready(fd, 30000), 1);
  assert_mproc_ok(mproc_process_join(p, 10000));
  int code = -1;
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  mproc_conn_free(keep);
  mproc_process_free(p);
}

static void active_children_lists_running_children(void **state) {
  (void)state;
  mproc_conn_t *keep;
  mproc_process_t *p = start_waiter(&keep, NULL);
  int64_t pid = 0, pids[16];
  size_t n = 0;
  assert_mproc_ok(mproc_process_pid(p, &pid));
  assert_mproc_ok(mproc_active_children(pids, 16, &n));
  int found = 0;
  for (size_t i = 0; i < n && i < 16; ++i) found |= pids[i] == pid;
  assert_true(found);
  assert_mproc_ok(mproc_active_children(NULL, 0, &n));
  assert_true(n >= 1);
  assert_mproc_ok(mproc_conn_send(keep, "go", 2, 1000));
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_active_children(pids, 16, &n));
  for (size_t i = 0; i < n && i < 16; ++i) assert_int_not_equal(pids[i], pid);
  mproc_conn_free(keep);
  mproc_process_free(p);
}

static void a_hundred_children_at_once(void **state) {
  (void)state;
  enum { kChildren = 100 };
  mproc_process_t *ps[kChildren];
  for (int i = 0; i < kChildren; ++i) {
    mproc_args_t *args;
    assert_mproc_ok(mproc_args_new(&args));
    assert_mproc_ok(mproc_args_add_i64(args, i));
    ps[i] = start_task("return_arg", args, NULL);
  }
  for (int i = 0; i < kChildren; ++i) {
    int code = -1;
    assert_mproc_ok(mproc_process_join(ps[i], 120000));
    assert_mproc_ok(mproc_process_exitcode(ps[i], &code));
    assert_int_equal(code, i);
    mproc_process_free(ps[i]);
  }
}

static void mproc_never_reaps_children_it_did_not_start(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("needs fork() and waitpid(); Windows has no reaping to steal");
#else
  /* A child of the test program's own, which ends first... */
  pid_t own = fork();
  assert_true(own >= 0);
  if (own == 0) _exit(77);
  siginfo_t info;
  assert_int_equal(waitid(P_PID, (id_t)own, &info, WEXITED | WNOWAIT), 0);
  /* ...then mproc starts, watches and joins children of its own... */
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 5));
  assert_int_equal(test_run_task("return_arg", args), 5);
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 6));
  assert_int_equal(test_run_task("return_arg", args), 6);
  /* ...and the program's own child is still there for it to reap. */
  int status = 0;
  assert_int_equal(waitpid(own, &status, 0), own);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 77);
#endif
}

#ifdef _WIN32
/* Whether handle value arg 0 is, in this process, the event named arg 1:
 * toggling the event through a handle of our own shows through it. The
 * task's exit code: 1 if it is (the handle leaked in), 0 if not. */
MPROC_TASK(holds_named_event) {
  int64_t value = 0;
  const char *name = NULL;
  if (mproc_args_get_i64(args, 0, &value) != 0 || mproc_args_get_str(args, 1, &name) != 0)
    return 200;
  HANDLE theirs = (HANDLE)(intptr_t)value;
  DWORD flags = 0;
  if (!GetHandleInformation(theirs, &flags)) return 0;
  HANDLE own = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, name);
  if (own == NULL) return 201;
  int same = 1;
  ResetEvent(own);
  same &= WaitForSingleObject(theirs, 0) == WAIT_TIMEOUT;
  SetEvent(own);
  same &= WaitForSingleObject(theirs, 0) == WAIT_OBJECT_0;
  CloseHandle(own);
  return same;
}
#endif

static void children_get_only_the_descriptors_passed(void **state) {
  (void)state;
  if (mproc_get_start_method() == MPROC_START_FORK)
    test_skip_because("fork copies every descriptor, as in Python");
  /* An inheritable descriptor of the host's must not reach the child. */
  int stray = test_open_null();
  mproc_conn_t *a;
  mproc_process_t *p = test_start_with_pipe("list_own_fds", NULL, &a);
  char text[1024];
  recv_text(a, text, sizeof text);
  assert_string_equal(text, ""); /* nothing besides the connection itself */
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
  close(stray);
  mproc_conn_free(a);
#ifdef _WIN32
  /* Nor does an inheritable handle that no C runtime descriptor names
   * (Windows children get an explicit handle list). */
  char name[64];
  snprintf(name, sizeof name, "mproc-test-leak-%lu", (unsigned long)GetCurrentProcessId());
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
  HANDLE ev = CreateEventA(&sa, TRUE, TRUE, name);
  assert_non_null(ev);
  DWORD flags = 0;
  assert_true(GetHandleInformation(ev, &flags) && (flags & HANDLE_FLAG_INHERIT));
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, (int64_t)(intptr_t)ev));
  assert_mproc_ok(mproc_args_add_str(args, name));
  /* The detector itself sees the handle where it is open: here. */
  assert_int_equal(mproc__task_holds_named_event(args), 1);
  mproc_process_t *q = NULL;
  assert_mproc_ok(mproc_process_new(&q, "holds_named_event", args, NULL));
  mproc_args_free(args);
  assert_mproc_ok(mproc_process_start(q));
  assert_mproc_ok(mproc_process_join(q, 60000));
  int code = -1;
  assert_mproc_ok(mproc_process_exitcode(q, &code));
  assert_int_equal(code, 0);
  mproc_process_free(q);
  CloseHandle(ev);
#endif
}

static void free_while_running_leaves_the_child_alone(void **state) {
  (void)state;
  mproc_conn_t *keep;
  mproc_process_t *p = start_waiter(&keep, NULL);
  int64_t pid = 0;
  assert_mproc_ok(mproc_process_pid(p, &pid));
  mproc_process_free(p);
  assert_false(test_wait_gone(pid, 100));
  assert_mproc_ok(mproc_conn_send(keep, "go", 2, 1000));
  /* It ends, and is reaped in the background: no zombie remains. */
  assert_true(test_wait_gone(pid, 30000));
#ifndef _WIN32 /* Windows has no zombies: a process that ended is gone */
  int64_t deadline = test_now_ms() + 30000;
  char path[64];
  snprintf(path, sizeof path, "/proc/%lld", (long long)pid);
  while (access(path, F_OK) == 0 && test_now_ms() < deadline) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL); /* polling /proc: nothing to wait on */
  }
  assert_int_not_equal(access(path, F_OK), 0);
#endif
  mproc_conn_free(keep);
}

static void bad_handles_and_arguments_are_einval(void **state) {
  (void)state;
  int code, alive, fd;
  int64_t pid;
  const char *name;
  assert_mproc_code(mproc_process_start(NULL), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "mproc_process_start"));
  assert_mproc_code(mproc_process_join(NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_process_is_alive(NULL, &alive), MPROC_EINVAL);
  assert_mproc_code(mproc_process_terminate(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_process_kill(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_process_pid(NULL, &pid), MPROC_EINVAL);
  assert_mproc_code(mproc_process_exitcode(NULL, &code), MPROC_EINVAL);
  assert_mproc_code(mproc_process_name(NULL, &name), MPROC_EINVAL);
  assert_mproc_code(mproc_process_sentinel(NULL, &fd), MPROC_EINVAL);
  assert_mproc_code(mproc_process_new(NULL, "return_arg", NULL, NULL), MPROC_EINVAL);
  mproc_process_t *p = NULL;
  assert_mproc_code(mproc_process_new(&p, NULL, NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_process_new(&p, "", NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_process_new_fn(&p, NULL, NULL, NULL), MPROC_EINVAL);
  /* A handle of the wrong type is caught, not misused. */
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_code(mproc_process_start((mproc_process_t *)(void *)args), MPROC_EINVAL);
  assert_mproc_code(mproc_args_add_i64(NULL, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_args_add_str(args, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_args_add_bytes(args, NULL, 3), MPROC_EINVAL);
  assert_mproc_code(mproc_args_add_fd(args, -1), MPROC_EBADF);
  assert_mproc_code(mproc_args_add_fd(args, 1000000), MPROC_EBADF);
  assert_mproc_code(mproc_args_add_conn(args, NULL), MPROC_EINVAL);
  mproc_arg_type_t type;
  assert_mproc_code(mproc_args_type(args, 0, &type), MPROC_ERANGE);
  size_t count = 1;
  assert_mproc_code(mproc_args_count(NULL, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_args_count(args, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_args_count(args, &count));
  assert_int_equal(count, 0);
  mproc_args_free(args);
  mproc_args_free(NULL);
  mproc_process_free(NULL);
  assert_mproc_code(mproc_set_start_method((mproc_start_method_t)99), MPROC_EINVAL);
  assert_mproc_code(mproc_set_start_method(MPROC_START_DEFAULT), MPROC_EINVAL);
  mproc_process_opts_t *opts;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_code(mproc_process_opts_set_start_method(opts, (mproc_start_method_t)7),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_process_opts_set_name(opts, NULL), MPROC_EINVAL);
  mproc_process_opts_free(opts);
  mproc_process_opts_free(NULL);
}

static void unregistered_function_runs_only_under_fork(void **state);

static int unregistered(const mproc_args_t *args) {
  (void)args;
  return 9;
}

static void unregistered_function_runs_only_under_fork(void **state) {
  (void)state;
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new_fn(&p, unregistered, NULL, NULL));
  if (mproc_get_start_method() == MPROC_START_FORK) {
    assert_mproc_ok(mproc_process_start(p));
    int code = 0;
    assert_mproc_ok(mproc_process_join(p, 60000));
    assert_mproc_ok(mproc_process_exitcode(p, &code));
    assert_int_equal(code, 9);
  } else {
    assert_mproc_code(mproc_process_start(p), MPROC_ENOTSUP);
  }
  mproc_process_free(p);
  /* A registered function works by pointer under every method. */
  mproc_task_fn fn;
  assert_mproc_ok(mproc_task_lookup("return_arg", &fn, NULL));
  mproc_args_t *args;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 12));
  assert_mproc_ok(mproc_process_new_fn(&p, fn, args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  int code = 0;
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 12);
  mproc_process_free(p);
}

static void a_spawned_child_without_mproc_main_refuses_to_start_children(void **state) {
  (void)state;
  /* Under fork nothing is re-executed: there is no mproc_main to miss. */
  if (mproc_get_start_method() == MPROC_START_FORK)
    test_skip_because("under fork nothing is re-executed: there is no mproc_main to miss");
  const char *method = mproc_start_method_name(mproc_get_start_method());
  const char *argv[] = {NO_MPROC_MAIN_PATH, method, NULL};
  char *out = NULL;
  size_t len = 0;
  int code = -1;
  assert_mproc_ok(test_capture(argv, NULL, NULL, 0, 60000, &out, &len, NULL, NULL,
                                        &code));
  assert_int_equal(code, 0);
  /* The child re-ran main() and was refused instead of recursing... */
  if (strstr(out, "child start: EBOOTSTRAP") == NULL || strstr(out, "recursed") != NULL)
    fail_msg("helper said: %s", out);
  /* ...and the parent was told why its child never began the task. */
  if (strstr(out, "parent start: EBOOTSTRAP") == NULL ||
      strstr(out, "the child did not call mproc_main() first") == NULL)
    fail_msg("helper said: %s", out);
  free(out);
}

/* ---- Injected faults (src/core/fault.hpp) -------------------------------- */

/* The fault plan is read once per process, so a scenario runs in a fresh
 * copy of this program (argv: method, "--fault", scenario) with
 * MPROC_TEST_FAULT set, and reports like any cmocka group. */
static char self_path[4096];

static void run_fault_scenario(const char *scenario, const char *plan) {
  test_run_fault_scenario(self_path, mproc_start_method_name(mproc_get_start_method()), scenario, plan);
}

/* forkserver-launch:3. The third start fails talking to the forkserver;
 * the two children it started before keep their sentinel (not readable
 * while they run) and their exit status, the daemon among them is not
 * killed, and the next start works. */
static void scenario_a_failed_launch_harms_no_other_child(void **state) {
  (void)state;
  mproc_conn_t *keep_plain, *keep_daemon;
  mproc_process_t *plain = start_waiter(&keep_plain, NULL);
  mproc_process_opts_t *opts = NULL;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_ok(mproc_process_opts_set_daemon(opts, 1));
  mproc_process_t *daemon = start_waiter(&keep_daemon, opts);
  mproc_process_opts_free(opts);
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_i64(args, 5));
  mproc_process_t *third = NULL;
  assert_mproc_ok(mproc_process_new(&third, "return_arg", args, NULL));
  assert_mproc_code(mproc_process_start(third), MPROC_EBOOTSTRAP);
  assert_non_null(strstr(mproc_last_error(), "injected fault"));
  int fds[2];
  assert_mproc_ok(mproc_process_sentinel(plain, &fds[0]));
  assert_mproc_ok(mproc_process_sentinel(daemon, &fds[1]));
  assert_int_equal(test_fd_ready(fds[0], 0), 0);
  assert_int_equal(test_fd_ready(fds[1], 0), 0);
  /* Nothing was started: the same process starts now, by a new server. */
  int code = -1;
  assert_mproc_ok(mproc_process_start(third));
  assert_mproc_ok(mproc_process_join(third, 60000));
  assert_mproc_ok(mproc_process_exitcode(third, &code));
  assert_int_equal(code, 5);
  mproc_process_free(third);
  assert_int_equal(test_fd_ready(fds[0], 0), 0);
  assert_int_equal(test_fd_ready(fds[1], 0), 0);
  int alive = 0;
  assert_mproc_ok(mproc_process_is_alive(daemon, &alive));
  assert_int_equal(alive, 1);
  /* Each ends with its own status: 0 for a message, 3 for a closed pipe. */
  assert_mproc_ok(mproc_conn_send(keep_plain, "go", 2, 10000));
  assert_int_equal(test_fd_ready(fds[0], 60000), 1);
  assert_mproc_ok(mproc_process_join(plain, 60000));
  assert_mproc_ok(mproc_process_exitcode(plain, &code));
  assert_int_equal(code, 0);
  mproc_conn_free(keep_daemon);
  assert_int_equal(test_fd_ready(fds[1], 60000), 1);
  assert_mproc_ok(mproc_process_join(daemon, 60000));
  assert_mproc_ok(mproc_process_exitcode(daemon, &code));
  assert_int_equal(code, 3);
  mproc_conn_free(keep_plain);
  mproc_process_free(plain);
  mproc_process_free(daemon);
}

static void a_failed_forkserver_launch_harms_no_other_child(void **state) {
  (void)state;
  if (mproc_get_start_method() != MPROC_START_FORKSERVER)
    test_skip_because("about forkserver children only");
  run_fault_scenario("forkserver-launch", "forkserver-launch:3");
}

static int run_scenario_named(const char *name) {
  if (strcmp(name, "forkserver-launch") != 0) return 2;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scenario_a_failed_launch_harms_no_other_child),
  };
  int failed = cmocka_run_group_tests_name(name, tests, NULL, NULL);
  /* A failure must not wait at exit for the children it left waiting. */
  fflush(NULL);
  if (failed != 0) _exit(failed);
  return 0;
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  if (argc > 3 && strcmp(argv[2], "--fault") == 0) return run_scenario_named(argv[3]);
  test_self_path(self_path, sizeof self_path);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(task_return_value_is_the_exit_code),
      cmocka_unit_test(every_argument_type_arrives),
      cmocka_unit_test(starting_twice_is_a_state_error),
      cmocka_unit_test(using_a_process_before_start_is_a_state_error),
      cmocka_unit_test(unknown_task_is_not_found),
      cmocka_unit_test(registering_a_name_twice_is_refused),
      cmocka_unit_test(a_task_of_the_other_kind_is_a_type_error),
      cmocka_unit_test(join_times_out_while_the_child_runs),
      cmocka_unit_test(terminate_and_kill_give_minus_the_signal),
      cmocka_unit_test(names_and_identity),
      cmocka_unit_test(a_daemon_may_not_start_children),
      cmocka_unit_test(a_daemon_dies_when_its_parent_is_killed),
      cmocka_unit_test(a_daemon_outlives_the_thread_that_started_it),
      cmocka_unit_test(fork_children_look_up_tasks_while_a_thread_uses_the_registry),
      cmocka_unit_test(a_forkserver_child_outlives_its_server),
      cmocka_unit_test(group_terminate_reaches_grandchildren),
      cmocka_unit_test(sentinel_becomes_readable_when_the_child_ends),
      cmocka_unit_test(active_children_lists_running_children),
      cmocka_unit_test(a_hundred_children_at_once),
      cmocka_unit_test(mproc_never_reaps_children_it_did_not_start),
      cmocka_unit_test(children_get_only_the_descriptors_passed),
      cmocka_unit_test(free_while_running_leaves_the_child_alone),
      cmocka_unit_test(bad_handles_and_arguments_are_einval),
      cmocka_unit_test(unregistered_function_runs_only_under_fork),
      cmocka_unit_test(a_spawned_child_without_mproc_main_refuses_to_start_children),
      cmocka_unit_test(a_failed_forkserver_launch_harms_no_other_child),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
