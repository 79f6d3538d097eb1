/* The timeout convention, at every entry point that takes one: a negative
 * timeout other than MPROC_FOREVER is MPROC_EINVAL with a message naming
 * it (it used to wait forever), and INT64_MAX is a very long wait, not an
 * overflow, so a call that can succeed at once returns 0. */
#include "harness.h"

/* `call` (whose timeout is -2) fails with EINVAL naming the function and
 * the timeout. */
#define assert_bad_timeout(call, function)                                    \
  do {                                                                        \
    assert_mproc_code((call), MPROC_EINVAL);                                  \
    const char *mproc__why = mproc_last_error();                              \
    if (strstr(mproc__why, function) == NULL ||                               \
        strstr(mproc__why, "timeout_ms is -2") == NULL) {                     \
      print_error("last error: %s\n", mproc__why);                            \
      fail();                                                                 \
    }                                                                         \
  } while (0)

MPROC_TASK(timeouts_exit_at_once) { return 0; }

MPROC_POOL_TASK(timeouts_echo) { return mproc_result_set(out, in, len); }

static void sync_objects(void **state) {
  (void)state;
  mproc_lock_t *lock = NULL;
  mproc_rlock_t *rlock = NULL;
  mproc_sem_t *sem = NULL;
  mproc_event_t *event = NULL;
  mproc_cond_t *cond = NULL;
  mproc_barrier_t *barrier = NULL;
  assert_mproc_ok(mproc_lock_new(&lock, NULL));
  assert_mproc_ok(mproc_rlock_new(&rlock, NULL));
  assert_mproc_ok(mproc_sem_new(&sem, 1, NULL));
  assert_mproc_ok(mproc_event_new(&event, NULL));
  assert_mproc_ok(mproc_cond_new(&cond, NULL, NULL));
  assert_mproc_ok(mproc_barrier_new(&barrier, 1, NULL));

  assert_bad_timeout(mproc_lock_acquire(lock, -2), "mproc_lock_acquire");
  assert_bad_timeout(mproc_rlock_acquire(rlock, -2), "mproc_rlock_acquire");
  assert_bad_timeout(mproc_sem_acquire(sem, -2), "mproc_sem_acquire");
  assert_bad_timeout(mproc_event_wait(event, -2), "mproc_event_wait");
  assert_bad_timeout(mproc_cond_acquire(cond, -2), "mproc_cond_acquire");
  assert_bad_timeout(mproc_barrier_wait(barrier, -2, NULL), "mproc_barrier_wait");
  /* Refused before anything happened: nothing was taken or broken. */
  int locked = 1, broken = 1;
  uint32_t value = 0;
  assert_mproc_ok(mproc_lock_is_locked(lock, &locked));
  assert_int_equal(locked, 0);
  assert_mproc_ok(mproc_sem_value(sem, &value));
  assert_int_equal(value, 1);
  assert_mproc_ok(mproc_barrier_broken(barrier, &broken));
  assert_int_equal(broken, 0);

  assert_mproc_ok(mproc_lock_acquire(lock, INT64_MAX));
  assert_mproc_ok(mproc_lock_release(lock));
  assert_mproc_ok(mproc_rlock_acquire(rlock, INT64_MAX));
  assert_mproc_ok(mproc_rlock_release(rlock));
  assert_mproc_ok(mproc_sem_acquire(sem, INT64_MAX));
  assert_mproc_ok(mproc_event_set(event));
  assert_mproc_ok(mproc_event_wait(event, INT64_MAX));
  assert_mproc_ok(mproc_cond_acquire(cond, INT64_MAX));
  /* A wait with the lock held: -2 is refused, the lock stays held. */
  assert_bad_timeout(mproc_cond_wait(cond, -2), "mproc_cond_wait");
  assert_mproc_ok(mproc_cond_release(cond));
  uint32_t index = 7;
  assert_mproc_ok(mproc_barrier_wait(barrier, INT64_MAX, &index));
  assert_int_equal(index, 0);

  mproc_barrier_free(barrier);
  mproc_cond_free(cond);
  mproc_event_free(event);
  mproc_sem_free(sem);
  mproc_rlock_free(rlock);
  mproc_lock_free(lock);
}

static void queues(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  mproc_msg_t *m = NULL;
  char buf[8];
  size_t len = 0;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  assert_bad_timeout(mproc_queue_put(q, "a", 1, -2), "mproc_queue_put");
  size_t n = 9;
  assert_mproc_ok(mproc_queue_qsize(q, &n));
  assert_int_equal(n, 0);

  assert_mproc_ok(mproc_queue_put(q, "a", 1, INT64_MAX));
  assert_mproc_ok(mproc_queue_put(q, "b", 1, INT64_MAX));
  assert_bad_timeout(mproc_queue_get(q, &m, -2), "mproc_queue_get");
  assert_bad_timeout(mproc_queue_get_into(q, buf, sizeof buf, &len, -2),
                     "mproc_queue_get_into");
  assert_bad_timeout(mproc_queue_join(q, -2), "mproc_queue_join");
  assert_mproc_code(mproc_queue_put(q, "c", 1, INT64_MIN), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "timeout_ms is -9223372036854775808"));

  assert_mproc_ok(mproc_queue_get(q, &m, INT64_MAX));
  assert_memory_equal(test_msg_data(m), "a", 1);
  mproc_msg_free(m);
  assert_mproc_ok(mproc_queue_get_into(q, buf, sizeof buf, &len, INT64_MAX));
  assert_int_equal(len, 1);
  assert_int_equal(buf[0], 'b');
  assert_mproc_ok(mproc_queue_task_done(q));
  assert_mproc_ok(mproc_queue_task_done(q));
  assert_mproc_ok(mproc_queue_join(q, INT64_MAX));
  mproc_queue_free(q);
}

static void connections(void **state) {
  (void)state;
  mproc_conn_t *a = NULL, *b = NULL;
  mproc_msg_t *m = NULL;
  char buf[8];
  size_t len = 0;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  assert_bad_timeout(mproc_conn_send(a, "x", 1, -2), "mproc_conn_send");
  assert_bad_timeout(mproc_conn_poll(b, -2), "mproc_conn_poll");
  assert_bad_timeout(mproc_conn_recv(b, &m, -2), "mproc_conn_recv");
  assert_bad_timeout(mproc_conn_recv_into(b, buf, sizeof buf, &len, -2), "mproc_conn_recv_into");
  /* The refused send sent nothing. */
  assert_mproc_code(mproc_conn_poll(b, 0), MPROC_ETIMEDOUT);

  assert_mproc_ok(mproc_conn_send(a, "x", 1, INT64_MAX));
  assert_mproc_ok(mproc_conn_send(a, "y", 1, INT64_MAX));
  assert_mproc_ok(mproc_conn_poll(b, INT64_MAX));
  assert_mproc_ok(mproc_conn_recv(b, &m, INT64_MAX));
  assert_memory_equal(test_msg_data(m), "x", 1);
  mproc_msg_free(m);
  assert_mproc_ok(mproc_conn_recv_into(b, buf, sizeof buf, &len, INT64_MAX));
  assert_int_equal(buf[0], 'y');
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void processes_and_commands(void **state) {
  (void)state;
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "timeouts_exit_at_once", NULL, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_bad_timeout(mproc_process_join(p, -2), "mproc_process_join");
  assert_mproc_ok(mproc_process_join(p, INT64_MAX));
  int code = -1;
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
  mproc_process_free(p);

  const char *cat[] = TEST_CAT_ARGV;
  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_PIPE));
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, cat, opts));
  assert_mproc_ok(mproc_command_start(cmd));
  size_t n = 0;
  char buf[16];
  assert_bad_timeout(mproc_command_write(cmd, "hi", 2, &n, -2), "mproc_command_write");
  assert_int_equal(n, 0);
  assert_bad_timeout(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, -2),
                     "mproc_command_read");
  assert_bad_timeout(mproc_command_join(cmd, -2), "mproc_command_join");
  assert_mproc_ok(mproc_command_write(cmd, "hi", 2, &n, INT64_MAX));
  assert_int_equal(n, 2);
  assert_mproc_ok(mproc_command_close_stdin(cmd));
  assert_mproc_ok(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, INT64_MAX));
  assert_true(n >= 1 && n <= 2);
  assert_int_equal(buf[0], 'h');
  assert_mproc_ok(mproc_command_join(cmd, INT64_MAX));
  mproc_command_free(cmd);

  char *out = NULL;
  size_t out_len = 0;
  int exitcode = -1;
  assert_bad_timeout(test_capture(cat, NULL, "x", 1, -2, &out, &out_len, NULL, NULL,
                                           &exitcode),
                     "mproc_command_capture");
  assert_null(out);
  assert_mproc_ok(test_capture(cat, opts, "x", 1, INT64_MAX, &out, &out_len, NULL,
                                        NULL, &exitcode));
  assert_int_equal(out_len, 1);
  assert_int_equal(exitcode, 0);
  free(out);
  mproc_command_opts_free(opts);
}

static void pools_and_futures(void **state) {
  (void)state;
  mproc_task_opts_t *to = NULL;
  assert_mproc_ok(mproc_task_opts_new(&to));
  assert_bad_timeout(mproc_task_opts_set_timeout(to, -2), "mproc_task_opts_set_timeout");
  assert_mproc_ok(mproc_task_opts_set_timeout(to, INT64_MAX));
  assert_mproc_ok(mproc_task_opts_set_timeout(to, MPROC_FOREVER));

  mproc_pool_opts_t *po = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&po));
  assert_mproc_ok(mproc_pool_opts_set_processes(po, 1));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, po));
  mproc_pool_opts_free(po);

  mproc_msg_t *m = NULL;
  assert_bad_timeout(mproc_pool_apply(pool, "timeouts_echo", "a", 1, NULL, &m, -2),
                     "mproc_pool_apply");
  assert_mproc_ok(mproc_pool_apply(pool, "timeouts_echo", "a", 1, to, &m, INT64_MAX));
  assert_memory_equal(test_msg_data(m), "a", 1);
  mproc_msg_free(m);

  int64_t in[3] = {1, 2, 3}, out[3] = {0};
  /* map's timeout is in its options: checked when it is set. */
  mproc_map_opts_t *mo = NULL;
  assert_mproc_ok(mproc_map_opts_new(&mo));
  assert_bad_timeout(mproc_map_opts_set_timeout(mo, -2), "mproc_map_opts_set_timeout");
  assert_mproc_ok(mproc_map_opts_set_timeout(mo, INT64_MAX));
  assert_mproc_ok(mproc_pool_map(pool, "timeouts_echo", in, 8, 3, out, 8, mo, NULL));
  assert_int_equal(out[2], 3);

  const void *inputs[] = {"b"};
  size_t lens[] = {1};
  mproc_imap_t *it = NULL;
  size_t index = 9;
  /* imap waits per result: options with a timeout are refused, not ignored. */
  assert_mproc_code(mproc_pool_imap(pool, "timeouts_echo", inputs, lens, 1, mo, &it),
                    MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "mproc_imap_next"));
  mproc_map_opts_free(mo);
  assert_mproc_ok(mproc_pool_imap(pool, "timeouts_echo", inputs, lens, 1, NULL, &it));
  assert_bad_timeout(mproc_imap_next(it, &index, &m, -2), "mproc_imap_next");
  assert_mproc_ok(mproc_imap_next(it, &index, &m, INT64_MAX));
  assert_int_equal(index, 0);
  mproc_msg_free(m);
  mproc_imap_free(it);

  mproc_future_t *f = NULL;
  assert_mproc_ok(mproc_pool_apply_async(pool, "timeouts_echo", "c", 1, NULL, &f));
  assert_bad_timeout(mproc_future_wait(f, -2), "mproc_future_wait");
  assert_bad_timeout(mproc_future_result(f, &m, -2), "mproc_future_result");
  assert_mproc_ok(mproc_future_wait(f, INT64_MAX));
  assert_mproc_ok(mproc_future_result(f, &m, INT64_MAX));
  assert_memory_equal(test_msg_data(m), "c", 1);
  mproc_msg_free(m);
  mproc_future_free(f);

  assert_mproc_ok(mproc_pool_close(pool));
  assert_bad_timeout(mproc_pool_join(pool, -2), "mproc_pool_join");
  assert_mproc_ok(mproc_pool_join(pool, INT64_MAX));
  mproc_pool_free(pool);
  mproc_task_opts_free(to);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sync_objects),
      cmocka_unit_test(queues),
      cmocka_unit_test(connections),
      cmocka_unit_test(processes_and_commands),
      cmocka_unit_test(pools_and_futures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
