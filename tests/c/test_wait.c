/* Wait sets (mproc/wait.h): one wait over connections, listeners,
 * processes, commands, queues and descriptors, with timeouts; and the
 * descriptors each kind gives an event loop. */
#include "harness.h"

static size_t one_ready(mproc_waitset_t *w, int64_t timeout_ms) {
  size_t ready[8], count = 0;
  assert_mproc_ok(mproc_waitset_wait(w, timeout_ms, ready, 8, &count));
  assert_int_equal(count, 1);
  return ready[0];
}

static void expect_nothing(mproc_waitset_t *w, int64_t timeout_ms) {
  size_t ready[8], count = 99;
  assert_mproc_code(mproc_waitset_wait(w, timeout_ms, ready, 8, &count), MPROC_ETIMEDOUT);
  assert_int_equal(count, 0);
}

static void test_connection_with_messages_read_ahead(void **state) {
  (void)state;
  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t slot = 99;
  assert_mproc_ok(mproc_waitset_add_conn(w, a, &slot));
  expect_nothing(w, 0);
  expect_nothing(w, 50);
  /* Two messages arrive in one read: after the first is taken the socket
   * is quiet, yet the second is there. */
  assert_mproc_ok(mproc_conn_send(b, "one", 3, 1000));
  assert_mproc_ok(mproc_conn_send(b, "two", 3, 1000));
  assert_int_equal(one_ready(w, 10000), slot);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(a, &m, 1000));
  mproc_msg_free(m);
  assert_int_equal(one_ready(w, 0), slot);
  assert_mproc_ok(mproc_conn_recv(a, &m, 1000));
  mproc_msg_free(m);
  expect_nothing(w, 0);
  /* The peer's end counts as ready: a receive answers at once. */
  mproc_conn_free(b);
  assert_int_equal(one_ready(w, 10000), slot);
  mproc_waitset_free(w);
  mproc_conn_free(a);
}

MPROC_TASK(exit_when_told) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 1;
  mproc_msg_t *m = NULL;
  (void)mproc_conn_recv(c, &m, 60000);
  mproc_msg_free(m);
  return 7;
}

static void test_process_and_command_and_queue(void **state) {
  (void)state;
  mproc_conn_t *near = NULL;
  mproc_process_t *p = test_start_with_pipe("exit_when_told", NULL, &near);
  const char *argv[] = TEST_CAT_ARGV;
  mproc_command_opts_t *co = NULL;
  assert_mproc_ok(mproc_command_opts_new(&co));
  assert_mproc_ok(mproc_command_opts_set_stdio(co, MPROC_STDIN, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_stdio(co, MPROC_STDOUT, MPROC_STDIO_NULL));
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, co));
  mproc_command_opts_free(co);
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));

  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t sp, sc, sq;
  assert_mproc_code(mproc_waitset_add_command(w, cmd, &sc), MPROC_ESTATE); /* not started */
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_waitset_add_process(w, p, &sp));
  assert_mproc_ok(mproc_waitset_add_command(w, cmd, &sc));
  assert_mproc_ok(mproc_waitset_add_queue(w, q, &sq));
  assert_true(sp != sc && sc != sq && sp != sq);
  expect_nothing(w, 50);

  /* A queue: ready once it holds a message, not once it is empty again. */
  assert_mproc_ok(mproc_queue_put(q, "x", 1, 1000));
  assert_int_equal(one_ready(w, 10000), sq);
  int qfd = -1;
  assert_mproc_ok(mproc_queue_fileno(q, &qfd));
  assert_true(qfd >= 0);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 1000));
  mproc_msg_free(m);
  expect_nothing(w, 100);

  /* A process that ends. */
  assert_mproc_ok(mproc_conn_send(near, "go", 2, 1000));
  assert_int_equal(one_ready(w, 60000), sp);
  assert_mproc_ok(mproc_waitset_remove(w, sp));
  assert_mproc_code(mproc_waitset_remove(w, sp), MPROC_EINVAL);

  /* A command that ends. */
  assert_mproc_ok(mproc_command_close_stdin(cmd));
  assert_int_equal(one_ready(w, 60000), sc);
  assert_mproc_ok(mproc_waitset_remove(w, sc));

  /* A closed queue is ready: a get answers at once. */
  assert_mproc_ok(mproc_queue_close(q));
  assert_int_equal(one_ready(w, 10000), sq);

  mproc_waitset_free(w);
  mproc_queue_free(q);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
  assert_mproc_ok(mproc_command_join(cmd, 60000));
  mproc_command_free(cmd);
  mproc_conn_free(near);
}

MPROC_TASK(put_one) {
  mproc_queue_t *q = NULL;
  if (mproc_args_get_queue(args, 0, &q) != 0) return 1;
  return mproc_queue_put(q, "from a child", 12, 10000) == 0 ? 0 : 2;
}

static void test_queue_put_by_another_process_wakes_the_wait(void **state) {
  (void)state;
  mproc_queue_t *q = NULL;
  assert_mproc_ok(mproc_queue_new(&q, NULL));
  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t sq;
  assert_mproc_ok(mproc_waitset_add_queue(w, q, &sq));
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_queue(args, q));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "put_one", args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  assert_int_equal(one_ready(w, 60000), sq);
  /* A getter sleeping beside the watch still gets its message: with a
   * watcher, a put wakes every sleeping getter. */
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_queue_get(q, &m, 1000));
  mproc_msg_free(m);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_process_free(p);
  mproc_waitset_free(w);
  mproc_queue_free(q);
}

static void test_listener_and_many_at_once(void **state) {
  (void)state;
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t sl, sa, sb;
  assert_mproc_ok(mproc_waitset_add_listener(w, l, &sl));
  assert_mproc_ok(mproc_waitset_add_conn(w, a, &sa));
  assert_mproc_ok(mproc_waitset_add_conn(w, b, &sb));
  expect_nothing(w, 20);
  const char *address = NULL;
  assert_mproc_ok(mproc_listener_address(l, &address));
  mproc_conn_t *client = NULL;
  assert_mproc_ok(mproc_conn_connect(&client, address, NULL, 30000));
  assert_int_equal(one_ready(w, 30000), sl);
  /* Two ready at once: both reported, in slot order; cap 1 gives the
   * first and the count of all. */
  assert_mproc_ok(mproc_conn_send(a, "to b", 4, 1000));
  assert_mproc_ok(mproc_conn_send(b, "to a", 4, 1000));
  size_t ready[3], count = 0;
  for (;;) { /* until both messages have arrived */
    assert_mproc_ok(mproc_waitset_wait(w, 30000, ready, 3, &count));
    if (count == 3) break;
  }
  assert_int_equal(ready[0], sl);
  assert_int_equal(ready[1], sa);
  assert_int_equal(ready[2], sb);
  assert_mproc_ok(mproc_waitset_wait(w, 0, ready, 1, &count));
  assert_int_equal(count, 3);
  assert_mproc_ok(mproc_waitset_wait(w, 0, NULL, 0, &count));
  assert_int_equal(count, 3);
  /* The set holds its own references: the handles may go first. */
  mproc_conn_free(a);
  mproc_conn_free(b);
  mproc_listener_free(l);
  assert_mproc_ok(mproc_waitset_wait(w, 0, NULL, 0, &count));
  assert_int_equal(count, 3);
  mproc_waitset_free(w);
  mproc_conn_free(client);
}

static void test_own_descriptor(void **state) {
  (void)state;
  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  int fd = -1;
  assert_mproc_ok(mproc_conn_fileno(a, &fd));
  mproc_waitset_t *w = NULL;
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t slot;
  assert_mproc_ok(mproc_waitset_add_fd(w, fd, &slot));
  expect_nothing(w, 20);
  assert_mproc_ok(mproc_conn_send(b, "x", 1, 1000));
  assert_int_equal(one_ready(w, 10000), slot);
  mproc_waitset_free(w);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void test_refusals(void **state) {
  (void)state;
  mproc_waitset_t *w = NULL;
  assert_mproc_code(mproc_waitset_new(NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_waitset_new(&w));
  size_t count, slot;
  assert_mproc_code(mproc_waitset_wait(w, 0, NULL, 0, &count), MPROC_EINVAL); /* empty */
  assert_mproc_code(mproc_waitset_wait(w, -2, NULL, 0, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_add_conn(w, NULL, &slot), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_add_fd(w, -1, &slot), MPROC_EINVAL);
  mproc_conn_t *r = NULL, *s = NULL;
  assert_mproc_ok(mproc_conn_pipe(&r, &s, 0));
  assert_mproc_code(mproc_waitset_add_conn(w, s, &slot), MPROC_EINVAL); /* sends only */
  assert_mproc_code(mproc_waitset_add_conn(w, r, NULL), MPROC_EINVAL);
  assert_mproc_ok(mproc_waitset_add_conn(w, r, &slot));
  size_t ready[1];
  assert_mproc_code(mproc_waitset_wait(w, 0, NULL, 1, &count), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_wait(w, 0, ready, 1, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_waitset_remove(w, 5), MPROC_EINVAL);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  assert_mproc_ok(mproc_listener_close(l));
  assert_mproc_code(mproc_waitset_add_listener(w, l, &slot), MPROC_ECLOSED);
  mproc_listener_free(l);
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "exit_when_told", NULL, NULL));
  assert_mproc_code(mproc_waitset_add_process(w, p, &slot), MPROC_ESTATE);
  mproc_process_free(p);
  int fd;
  assert_mproc_code(mproc_queue_fileno(NULL, &fd), MPROC_EINVAL);
  mproc_waitset_free(w);
  mproc_waitset_free(NULL);
  mproc_conn_free(r);
  mproc_conn_free(s);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connection_with_messages_read_ahead),
      cmocka_unit_test(test_process_and_command_and_queue),
      cmocka_unit_test(test_queue_put_by_another_process_wakes_the_wait),
      cmocka_unit_test(test_listener_and_many_at_once),
      cmocka_unit_test(test_own_descriptor),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests_name("wait", tests, NULL, NULL);
}
