/* Connections (Python's Pipe): messages, timeouts, peers that close or
 * die, one-way ends, threads, and ends passed to children. argv[1] picks
 * the start method for the tests that involve a child. */
#include "harness.h"

#include <pthread.h>
#include <signal.h>

/* Echoes every message back until an empty one (or the peer closes);
 * exits with how many it echoed. */
MPROC_TASK(echo) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 250;
  int n = 0;
  for (;;) {
    mproc_msg_t *m = NULL;
    int rc = mproc_conn_recv(c, &m, MPROC_FOREVER);
    if (rc == MPROC_EOF) break;
    if (rc != 0) return 251;
    if (mproc_msg_size(m) == 0) {
      mproc_msg_free(m);
      break;
    }
    rc = mproc_conn_send(c, mproc_msg_data(m), mproc_msg_size(m), 10000);
    mproc_msg_free(m);
    if (rc != 0) return 252;
    ++n;
  }
  mproc_conn_free(c);
  return n;
}

/* Sends one message, then waits to be killed. */
MPROC_TASK(send_then_hang) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 250;
  mproc_conn_send(c, "last words", 10, 10000);
  for (;;) pause();
}

static void pair(mproc_conn_t **a, mproc_conn_t **b, int duplex) {
  assert_mproc_ok(mproc_pipe(a, b, duplex));
  assert_non_null(*a);
  assert_non_null(*b);
}

static void fill(unsigned char *buf, size_t len, unsigned seed) {
  for (size_t i = 0; i < len; ++i) buf[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static void messages_of_every_size_arrive_whole_and_in_order(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  static const size_t sizes[] = {0, 1, 3, 4095, 65536, 100000};
  size_t n = sizeof sizes / sizeof sizes[0];
  unsigned char *buf = malloc(100000);
  for (size_t i = 0; i < n; ++i) {
    fill(buf, sizes[i], (unsigned)i);
    assert_mproc_ok(mproc_conn_send(a, buf, sizes[i], 5000));
  }
  for (size_t i = 0; i < n; ++i) {
    mproc_msg_t *m = NULL;
    assert_mproc_ok(mproc_conn_recv(b, &m, 5000));
    assert_int_equal(mproc_msg_size(m), sizes[i]);
    fill(buf, sizes[i], (unsigned)i);
    if (sizes[i] > 0) assert_memory_equal(mproc_msg_data(m), buf, sizes[i]);
    mproc_msg_free(m);
  }
  /* And the other way: duplex. */
  assert_mproc_ok(mproc_conn_send(b, "back", 4, 5000));
  char got[8];
  size_t len = 0;
  assert_mproc_ok(mproc_conn_recv_into(a, got, sizeof got, &len, 5000));
  assert_int_equal(len, 4);
  assert_memory_equal(got, "back", 4);
  free(buf);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

/* A 16 MiB message needs the reader and writer to run at once. */
static void *send_big(void *arg) {
  mproc_conn_t *c = arg;
  size_t len = (size_t)16 << 20;
  unsigned char *buf = malloc(len);
  fill(buf, len, 99);
  intptr_t rc = mproc_conn_send(c, buf, len, 30000);
  free(buf);
  return (void *)rc;
}

static void a_large_message_streams_through(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  pthread_t t;
  pthread_create(&t, NULL, send_big, a);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(b, &m, 30000));
  void *rc;
  pthread_join(t, &rc);
  assert_int_equal((intptr_t)rc, 0);
  size_t len = (size_t)16 << 20;
  assert_int_equal(mproc_msg_size(m), len);
  unsigned char *want = malloc(len);
  fill(want, len, 99);
  assert_memory_equal(mproc_msg_data(m), want, len);
  free(want);
  mproc_msg_free(m);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void receive_times_out_after_about_the_timeout(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  mproc_msg_t *m = NULL;
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_conn_recv(b, &m, 200), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190 && waited < 5000);
  assert_null(m);
  assert_mproc_code(mproc_conn_recv(b, &m, 0), MPROC_ETIMEDOUT);
  assert_mproc_code(mproc_conn_poll(b, 50), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_conn_send(a, "x", 1, 0));
  assert_mproc_ok(mproc_conn_poll(b, 5000));
  assert_mproc_ok(mproc_conn_recv(b, &m, 0));
  mproc_msg_free(m);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void send_times_out_when_the_reader_does_not_read(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  char chunk[4096] = {0};
  int rc = 0;
  int sent = 0;
  /* Fill the socket buffer with whole small messages until one does not
   * fit in time. */
  while ((rc = mproc_conn_send(a, chunk, 100, 50)) == 0) ++sent;
  assert_mproc_code(rc, MPROC_ETIMEDOUT);
  assert_true(sent > 10);
  /* Every message sent whole is still readable, intact. */
  for (int i = 0; i < sent; ++i) {
    size_t len = 0;
    assert_mproc_ok(mproc_conn_recv_into(b, chunk, sizeof chunk, &len, 1000));
    assert_int_equal(len, 100);
  }
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void a_closed_peer_gives_eof_after_the_pending_messages(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  assert_mproc_ok(mproc_conn_send(a, "one", 3, 1000));
  assert_mproc_ok(mproc_conn_send(a, "two", 3, 1000));
  mproc_conn_free(a);
  char buf[8];
  size_t len;
  assert_mproc_ok(mproc_conn_recv_into(b, buf, sizeof buf, &len, 1000));
  assert_mproc_ok(mproc_conn_recv_into(b, buf, sizeof buf, &len, 1000));
  assert_memory_equal(buf, "two", 3);
  int64_t t0 = test_now_ms();
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(b, &m, MPROC_FOREVER), MPROC_EOF);
  assert_true(test_now_ms() - t0 < 1000); /* at once, not after a timeout */
  assert_mproc_code(mproc_conn_recv(b, &m, MPROC_FOREVER), MPROC_EOF);
  assert_mproc_ok(mproc_conn_poll(b, 0)); /* EOF is "ready" */
  mproc_conn_free(b);
}

static void sending_to_a_gone_peer_is_epipe_not_sigpipe(void **state) {
  (void)state;
  /* SIGPIPE at its default would kill the test here. */
  signal(SIGPIPE, SIG_DFL);
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  mproc_conn_free(b);
  assert_mproc_code(mproc_conn_send(a, "anyone?", 7, 1000), MPROC_EPIPE);
  mproc_conn_free(a);
}

static void too_small_a_buffer_keeps_the_message(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  assert_mproc_ok(mproc_conn_send(a, "hello world", 11, 1000));
  char small[4];
  size_t len = 0;
  assert_mproc_code(mproc_conn_recv_into(b, small, sizeof small, &len, 1000), MPROC_ETOOBIG);
  assert_int_equal(len, 11);
  assert_non_null(strstr(mproc_last_error(), "11"));
  char big[32];
  assert_mproc_ok(mproc_conn_recv_into(b, big, sizeof big, &len, 1000));
  assert_int_equal(len, 11);
  assert_memory_equal(big, "hello world", 11);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void one_way_ends_refuse_the_other_direction(void **state) {
  (void)state;
  mproc_conn_t *r, *w;
  pair(&r, &w, 0);
  assert_int_equal(mproc_conn_readable(r), 1);
  assert_int_equal(mproc_conn_writable(r), 0);
  assert_int_equal(mproc_conn_readable(w), 0);
  assert_int_equal(mproc_conn_writable(w), 1);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_send(r, "x", 1, 0), MPROC_ENOTSUP);
  assert_mproc_code(mproc_conn_recv(w, &m, 0), MPROC_ENOTSUP);
  assert_mproc_code(mproc_conn_poll(w, 0), MPROC_ENOTSUP);
  assert_mproc_ok(mproc_conn_send(w, "x", 1, 0));
  assert_mproc_ok(mproc_conn_recv(r, &m, 1000));
  mproc_msg_free(m);
  mproc_conn_free(r);
  mproc_conn_free(w);
}

static void closed_ends_and_bad_arguments(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  assert_mproc_ok(mproc_conn_close(a));
  assert_mproc_ok(mproc_conn_close(a)); /* twice is harmless */
  mproc_msg_t *m = NULL;
  int fd;
  assert_mproc_code(mproc_conn_send(a, "x", 1, 0), MPROC_ECLOSED);
  assert_mproc_code(mproc_conn_recv(a, &m, 0), MPROC_ECLOSED);
  assert_mproc_code(mproc_conn_fileno(a, &fd), MPROC_ECLOSED);
  assert_mproc_code(mproc_conn_recv(b, &m, 1000), MPROC_EOF);
  char buf[4];
  assert_mproc_code(mproc_pipe(NULL, &b, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_send(NULL, "x", 1, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_send(b, NULL, 1, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_recv(b, NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_recv_into(b, buf, sizeof buf, NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_send(b, buf, MPROC_CONN_MAX_MESSAGE + 1, 0), MPROC_ETOOBIG);
  assert_mproc_code(mproc_conn_poll(NULL, 0), MPROC_EINVAL);
  mproc_conn_free(a);
  mproc_conn_free(b);
  mproc_conn_free(NULL);
  mproc_msg_free(NULL);
  assert_null(mproc_msg_data(NULL));
  assert_int_equal(mproc_msg_size(NULL), 0);
}

/* Four threads send numbered messages at once; each thread's messages
 * arrive whole and in its own order. */
enum { kThreads = 4, kPerThread = 2000 };
struct sender {
  mproc_conn_t *c;
  int id;
};
static void *send_numbered(void *arg) {
  struct sender *s = arg;
  for (int i = 0; i < kPerThread; ++i) {
    int msg[2] = {s->id, i};
    if (mproc_conn_send(s->c, msg, sizeof msg, 30000) != 0) return (void *)1;
  }
  return NULL;
}

static void sends_from_many_threads_do_not_interleave(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  pthread_t threads[kThreads];
  struct sender senders[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    senders[t].c = a;
    senders[t].id = t;
    pthread_create(&threads[t], NULL, send_numbered, &senders[t]);
  }
  int next[kThreads] = {0};
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    int msg[2];
    size_t len = 0;
    assert_mproc_ok(mproc_conn_recv_into(b, msg, sizeof msg, &len, 30000));
    assert_int_equal(len, sizeof msg);
    assert_true(msg[0] >= 0 && msg[0] < kThreads);
    assert_int_equal(msg[1], next[msg[0]]);
    next[msg[0]]++;
  }
  for (int t = 0; t < kThreads; ++t) {
    void *rc;
    pthread_join(threads[t], &rc);
    assert_null(rc);
  }
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void a_child_echoes_through_a_passed_end(void **state) {
  (void)state;
  mproc_conn_t *a;
  mproc_process_t *p = test_start_with_pipe("echo", NULL, &a);
  for (int i = 0; i < 50; ++i) {
    char msg[32], got[32];
    int n = snprintf(msg, sizeof msg, "message %d", i);
    size_t len = 0;
    assert_mproc_ok(mproc_conn_send(a, msg, (size_t)n, 10000));
    assert_mproc_ok(mproc_conn_recv_into(a, got, sizeof got, &len, 30000));
    assert_int_equal(len, (size_t)n);
    assert_memory_equal(got, msg, len);
  }
  /* Under fork the child holds a copy of our end too (as in Python), so
   * closing ours would not reach it: an empty message says "done". */
  assert_mproc_ok(mproc_conn_send(a, "", 0, 10000));
  mproc_conn_free(a);
  int code = -1;
  assert_mproc_ok(mproc_process_join(p, 60000));
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 50);
  mproc_process_free(p);
}

static void a_dead_peer_gives_eof_at_once(void **state) {
  (void)state;
  mproc_conn_t *a;
  mproc_process_t *p = test_start_with_pipe("send_then_hang", NULL, &a);
  char buf[32];
  size_t len = 0;
  assert_mproc_ok(mproc_conn_recv_into(a, buf, sizeof buf, &len, 30000));
  assert_memory_equal(buf, "last words", 10);
  assert_mproc_ok(mproc_process_kill(p));
  assert_mproc_ok(mproc_process_join(p, 60000));
  int64_t t0 = test_now_ms();
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(a, &m, MPROC_FOREVER), MPROC_EOF);
  assert_true(test_now_ms() - t0 < 1000);
  mproc_conn_free(a);
  mproc_process_free(p);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(messages_of_every_size_arrive_whole_and_in_order),
      cmocka_unit_test(a_large_message_streams_through),
      cmocka_unit_test(receive_times_out_after_about_the_timeout),
      cmocka_unit_test(send_times_out_when_the_reader_does_not_read),
      cmocka_unit_test(a_closed_peer_gives_eof_after_the_pending_messages),
      cmocka_unit_test(sending_to_a_gone_peer_is_epipe_not_sigpipe),
      cmocka_unit_test(too_small_a_buffer_keeps_the_message),
      cmocka_unit_test(one_way_ends_refuse_the_other_direction),
      cmocka_unit_test(closed_ends_and_bad_arguments),
      cmocka_unit_test(sends_from_many_threads_do_not_interleave),
      cmocka_unit_test(a_child_echoes_through_a_passed_end),
      cmocka_unit_test(a_dead_peer_gives_eof_at_once),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
