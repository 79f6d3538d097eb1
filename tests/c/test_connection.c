/* Connections (Python's Pipe): messages, timeouts, peers that close or
 * die, one-way ends, threads, and ends passed to children. argv[1] picks
 * the start method for the tests that involve a child. */
#include "harness.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#ifndef _WIN32
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

/* Why the tests that must see a thread asleep in a wait skip on Windows. */
#define NO_VIEW_OF_WAITS                                                     \
  "needs to see another thread asleep in poll(2) (/proc/self/task/N/syscall); " \
  "Windows has no such view"

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
    if (test_msg_size(m) == 0) {
      mproc_msg_free(m);
      break;
    }
    rc = mproc_conn_send(c, test_msg_data(m), test_msg_size(m), 10000);
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
  test_block_forever();
}

/* What a fork child does with the handles it inherits: a fork child holds
 * the parent's own connection objects, in whatever state the fork found
 * them. Set before each fork by the fork tests. */
static mproc_conn_t *g_inherited; /* the end a parent thread receives on */
static mproc_conn_t *g_go;        /* says when that thread is done */

/* Sends on the inherited end, then (once told the parent's receiver has its
 * message) receives on it, polls it and says goodbye. 0 if all went well. */
static int use_the_inherited_end(void) {
  mproc_conn_t *c = g_inherited;
  char buf[16];
  size_t len = 0;
  if (c == NULL || g_go == NULL) return 10;
  if (mproc_conn_send(c, "ping", 4, 10000) != 0) return 11;
  if (mproc_conn_recv_into(g_go, buf, sizeof buf, &len, 30000) != 0) return 12;
  if (mproc_conn_recv_into(c, buf, sizeof buf, &len, 30000) != 0) return 13;
  if (len != 4 || memcmp(buf, "pong", 4) != 0) return 14;
  if (mproc_conn_poll(c, 0) != MPROC_ETIMEDOUT) return 15;
  if (mproc_conn_send(c, "bye", 3, 10000) != 0) return 16;
  return 0;
}

MPROC_TASK(use_inherited_end) { return use_the_inherited_end(); }

static void pair(mproc_conn_t **a, mproc_conn_t **b, int duplex) {
  assert_mproc_ok(mproc_conn_pipe(a, b, duplex));
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
    assert_int_equal(test_msg_size(m), sizes[i]);
    fill(buf, sizes[i], (unsigned)i);
    if (sizes[i] > 0) assert_memory_equal(test_msg_data(m), buf, sizes[i]);
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
  assert_int_equal(test_msg_size(m), len);
  unsigned char *want = malloc(len);
  fill(want, len, 99);
  assert_memory_equal(test_msg_data(m), want, len);
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
#ifndef _WIN32 /* Windows has no SIGPIPE */
  /* SIGPIPE at its default would kill the test here. */
  signal(SIGPIPE, SIG_DFL);
#endif
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

/* The one rule for cap 0 (mproc/common.h, "Buffers"): with buf NULL it asks
 * the next message's size and takes nothing; an empty message fits and is
 * taken; buf NULL with room is EINVAL. */
static void cap_zero_asks_for_the_size(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  assert_mproc_ok(mproc_conn_send(a, "hello", 5, 1000));
  assert_mproc_ok(mproc_conn_send(a, "", 0, 1000));
  size_t len = 0;
  for (int i = 0; i < 2; ++i) {
    assert_mproc_code(mproc_conn_recv_into(b, NULL, 0, &len, 1000), MPROC_ETOOBIG);
    assert_int_equal(len, 5);
  }
  assert_mproc_code(mproc_conn_recv_into(b, NULL, 5, &len, 1000), MPROC_EINVAL);
  char buf[5];
  assert_mproc_ok(mproc_conn_recv_into(b, buf, len, &len, 1000));
  assert_memory_equal(buf, "hello", 5);
  len = 99;
  assert_mproc_ok(mproc_conn_recv_into(b, NULL, 0, &len, 1000));
  assert_int_equal(len, 0);
  assert_mproc_code(mproc_conn_recv_into(b, NULL, 0, &len, 0), MPROC_ETIMEDOUT);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void one_way_ends_refuse_the_other_direction(void **state) {
  (void)state;
  mproc_conn_t *r, *w;
  pair(&r, &w, 0);
  int can = -1;
  assert_mproc_ok(mproc_conn_readable(r, &can));
  assert_int_equal(can, 1);
  assert_mproc_ok(mproc_conn_writable(r, &can));
  assert_int_equal(can, 0);
  assert_mproc_ok(mproc_conn_readable(w, &can));
  assert_int_equal(can, 0);
  assert_mproc_ok(mproc_conn_writable(w, &can));
  assert_int_equal(can, 1);
  assert_mproc_code(mproc_conn_readable(r, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_writable(NULL, &can), MPROC_EINVAL);
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
  assert_mproc_code(mproc_conn_pipe(NULL, &b, 1), MPROC_EINVAL);
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
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_code(mproc_msg_data(NULL, &data), MPROC_EINVAL);
  assert_mproc_code(mproc_msg_size(NULL, &size), MPROC_EINVAL);
}

#ifndef _WIN32
/* Sends `text` on `from` and checks that `to` receives exactly it. */
static void exchange(mproc_conn_t *from, mproc_conn_t *to, const char *text) {
  char buf[32];
  size_t len = 0;
  assert_mproc_ok(mproc_conn_send(from, text, strlen(text), 10000));
  assert_mproc_ok(mproc_conn_recv_into(to, buf, sizeof buf, &len, 10000));
  assert_int_equal(len, strlen(text));
  assert_memory_equal(buf, text, len);
}

/* Asserts that `fd` is still open and the caller's: a refused adoption
 * leaves it alone. */
static void assert_still_open(int fd) { assert_true(fcntl(fd, F_GETFD) >= 0); }
#endif

/* A socket end adopted with mproc_conn_from_fd talks with an mproc end
 * (and with another adopted end); anything but a connected stream socket,
 * and bad arguments, are refused, leaving the descriptor to the caller. */
static void a_socket_is_adopted_as_an_end(void **state) {
  (void)state;
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_conn_from_fd(NULL, 0, 1, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_from_fd(&c, 0, 0, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_from_fd(&c, 0, 2, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_from_fd(&c, 0, 1, -1), MPROC_EINVAL);
  assert_null(c);
#ifdef _WIN32
  assert_mproc_code(mproc_conn_from_fd(&c, 0, 1, 1), MPROC_ENOTSUP);
  test_skip_because("Windows connections are named pipes: adopting a socket is MPROC_ENOTSUP");
#else
  /* Both ends of a socket pair, adopted: messages go both ways. */
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  mproc_conn_t *a = NULL, *b = NULL;
  assert_mproc_ok(mproc_conn_from_fd(&a, sv[0], 1, 1));
  assert_mproc_ok(mproc_conn_from_fd(&b, sv[1], 1, 1));
  exchange(a, b, "hello");
  exchange(b, a, "and back");
  int fd = -1;
  assert_mproc_ok(mproc_conn_fileno(a, &fd));
  assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  mproc_conn_free(b);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(a, &m, 10000), MPROC_EOF);
  mproc_conn_free(a);

  /* One adopted end of an mproc pipe's socket: mproc_conn_pipe's second
   * end, handed over through a copy of its descriptor (as a child would
   * get it), talks with the first. One-way flags hold. */
  mproc_conn_t *p = NULL, *q = NULL;
  pair(&p, &q, 1);
  assert_mproc_ok(mproc_conn_fileno(q, &fd));
  int copy = dup(fd);
  assert_true(copy >= 0);
  mproc_conn_free(q);
  assert_mproc_ok(mproc_conn_from_fd(&q, copy, 0, 1)); /* sends only */
  exchange(q, p, "one way");
  assert_mproc_code(mproc_conn_recv(q, &m, 0), MPROC_ENOTSUP);
  mproc_conn_free(q);
  mproc_conn_free(p);

  /* Refused: a pipe, a regular file, a datagram socket, a stream socket
   * with no peer, a closed descriptor. */
  int pipe_fds[2];
  assert_int_equal(pipe(pipe_fds), 0);
  assert_mproc_code(mproc_conn_from_fd(&c, pipe_fds[0], 1, 0), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "pipe"));
  assert_still_open(pipe_fds[0]);
  assert_int_equal(write(pipe_fds[1], "x", 1), 1); /* still the caller's */
  char byte = 0;
  assert_int_equal(read(pipe_fds[0], &byte, 1), 1);
  char path[512];
  assert_int_equal(test_temp_file(path, sizeof path, "mproc-conn"), 0);
  int file = open(path, O_RDWR);
  assert_true(file >= 0);
  assert_mproc_code(mproc_conn_from_fd(&c, file, 1, 1), MPROC_ETYPE);
  assert_non_null(strstr(mproc_last_error(), "regular file"));
  assert_still_open(file);
  close(file);
  remove(path);
  int dgram[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, dgram), 0);
  assert_mproc_code(mproc_conn_from_fd(&c, dgram[0], 1, 1), MPROC_ETYPE);
  assert_still_open(dgram[0]);
  int lone = socket(AF_UNIX, SOCK_STREAM, 0);
  assert_true(lone >= 0);
  assert_mproc_code(mproc_conn_from_fd(&c, lone, 1, 1), MPROC_ETYPE);
  assert_still_open(lone);
  close(lone);
  close(dgram[0]);
  close(dgram[1]);
  assert_mproc_code(mproc_conn_from_fd(&c, -1, 1, 1), MPROC_EBADF);
  /* pipe_fds[1]'s number is closed here and this test opens nothing in
   * between. */
  close(pipe_fds[1]);
  assert_mproc_code(mproc_conn_from_fd(&c, pipe_fds[1], 1, 1), MPROC_EBADF);
  close(pipe_fds[0]);
  assert_null(c);
#endif
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

/* Writes raw bytes into a connection's socket: a peer that frames its own
 * messages, and may stop half-way. */
static void raw_write(int fd, const void *data, size_t len) {
  assert_int_equal(test_write_conn_fd(fd, data, len), 0);
}

/* A message's header as the connection frames it: a 4-byte big-endian
 * length, as Python's multiprocessing.connection writes it. */
static void raw_write_header(int fd, uint32_t len) {
  unsigned char header[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                             (unsigned char)(len >> 8), (unsigned char)len};
  raw_write(fd, header, sizeof header);
}

struct raw_rest {
  mproc_conn_t *conn;
  const unsigned char *data;
  size_t len;
};

/* Writes the rest of a message (more than the socket holds), then one
 * whole message through the connection itself. */
static void *write_the_rest(void *arg) {
  struct raw_rest *r = arg;
  int fd = -1;
  if (mproc_conn_fileno(r->conn, &fd) != 0) return (void *)1;
  raw_write(fd, r->data, r->len);
  return (void *)(intptr_t)mproc_conn_send(r->conn, "next", 4, 10000);
}

/* A peer sends the length of a 64 MiB message and a few bytes, then
 * stalls: receives time out on time (0 at once), and what arrived is kept,
 * so a later receive finishes the same message and the stream stays on
 * message boundaries. */
static void a_receive_keeps_its_deadline_while_a_large_message_arrives(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  int fd = -1;
  assert_mproc_ok(mproc_conn_fileno(b, &fd));
  size_t size = (size_t)64 << 20;
  size_t first = 100, second = 16384; /* both fit in the socket at once */
  unsigned char *want = malloc(size);
  assert_non_null(want);
  fill(want, size, 7);
  raw_write_header(fd, (uint32_t)size);
  raw_write(fd, want, first);

  mproc_msg_t *m = NULL;
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_conn_recv(a, &m, 200), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190);
  assert_true(waited < 1500);
  assert_null(m);

  /* A timeout of 0 never waits, mid-message or not; the size is known. */
  char small[8];
  size_t len = 0;
  t0 = test_now_ms();
  assert_mproc_code(mproc_conn_recv(a, &m, 0), MPROC_ETIMEDOUT);
  assert_mproc_code(mproc_conn_poll(a, 0), MPROC_ETIMEDOUT);
  assert_mproc_code(mproc_conn_recv_into(a, small, sizeof small, &len, 0), MPROC_ETOOBIG);
  assert_int_equal(len, size);
  assert_true(test_now_ms() - t0 < 100);

  /* More arrives, still not all of it: the next receive times out too. */
  raw_write(fd, want + first, second);
  t0 = test_now_ms();
  assert_mproc_code(mproc_conn_recv(a, &m, 100), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 1500);
  assert_mproc_code(mproc_conn_poll(a, 0), MPROC_ETIMEDOUT);

  /* The rest comes: the receive resumes the message and gets it whole. */
  struct raw_rest rest = {b, want + first + second, size - first - second};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, write_the_rest, &rest), 0);
  assert_mproc_ok(mproc_conn_recv(a, &m, 30000));
  void *rc = NULL;
  pthread_join(t, &rc);
  assert_int_equal((intptr_t)rc, 0);
  assert_int_equal(test_msg_size(m), size);
  assert_memory_equal(test_msg_data(m), want, size);
  mproc_msg_free(m);
  assert_mproc_ok(mproc_conn_recv_into(a, small, sizeof small, &len, 5000));
  assert_int_equal(len, 4);
  assert_memory_equal(small, "next", 4);
  free(want);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

/* A peer that closes half-way through a message breaks the stream: the
 * receive says so (ECORRUPT) rather than hand out part of a message, and
 * keeps saying so. */
static void a_peer_closing_mid_message_is_corrupt(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  int fd = -1;
  assert_mproc_ok(mproc_conn_fileno(b, &fd));
  raw_write_header(fd, 1000);
  raw_write(fd, "partial", 7);
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(a, &m, 0), MPROC_ETIMEDOUT);
  mproc_conn_free(b);
  assert_mproc_code(mproc_conn_recv(a, &m, 5000), MPROC_ECORRUPT);
  assert_non_null(strstr(mproc_last_error(), "middle of a message"));
  assert_mproc_code(mproc_conn_recv(a, &m, 0), MPROC_ECORRUPT);
  assert_null(m);
  mproc_conn_free(a);
}

struct blocked_recv {
  mproc_conn_t *conn;
  atomic_int tid;
  int rc;
  char got[32];
  size_t len;
};

/* Receives once with a long timeout. */
static void *receive_for_long(void *arg) {
  struct blocked_recv *r = arg;
  atomic_store(&r->tid, test_thread_id());
  r->rc = mproc_conn_recv_into(r->conn, r->got, sizeof r->got, &r->len, 60000);
  return NULL;
}

/* Waits (up to 10 s) until thread `tid` of this process sleeps in poll(2),
 * which a receive does while it waits for data. 1 if it did. */
static int wait_until_thread_polls(int tid) {
#ifdef _WIN32
  (void)tid;
  return 0; /* the callers skip on Windows before they get here */
#else
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
  int64_t until = test_now_ms() + 10000;
  while (test_now_ms() < until) {
    long nr = -1;
    FILE *f = fopen(path, "r");
    if (f != NULL) {
      if (fscanf(f, "%ld", &nr) != 1) nr = -1; /* "running" */
      fclose(f);
    }
#ifdef SYS_poll
    if (nr == SYS_poll) return 1;
#endif
    if (nr == SYS_ppoll) return 1;
    sched_yield();
  }
  return 0;
#endif
}

/* While one thread waits in a receive, other calls on the same end keep
 * their own deadlines: 0 returns at once, 200 ms after about 200 ms. */
static void calls_beside_a_waiting_receive_keep_their_deadlines(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because(NO_VIEW_OF_WAITS);
#endif
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  struct blocked_recv r;
  memset(&r, 0, sizeof r);
  r.conn = a;
  atomic_init(&r.tid, 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, receive_for_long, &r), 0);
  while (atomic_load(&r.tid) == 0) sched_yield();
  assert_true(wait_until_thread_polls(atomic_load(&r.tid)));
  mproc_msg_t *m = NULL;
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_conn_poll(a, 0), MPROC_ETIMEDOUT);
  assert_mproc_code(mproc_conn_recv(a, &m, 0), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 100);
  t0 = test_now_ms();
  assert_mproc_code(mproc_conn_recv(a, &m, 200), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190);
  assert_true(waited < 1500);
  /* Sending on that end is not held up by the receive either. */
  assert_mproc_ok(mproc_conn_send(a, "x", 1, 0));
  assert_mproc_ok(mproc_conn_recv(b, &m, 5000));
  mproc_msg_free(m);
  assert_mproc_ok(mproc_conn_send(b, "for the thread", 14, 5000));
  pthread_join(t, NULL);
  assert_mproc_ok(r.rc);
  assert_int_equal(r.len, 14);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

struct blocked_send {
  mproc_conn_t *conn;
  const void *data;
  size_t len;
  atomic_int tid;
  int rc;
};

static void *send_for_long(void *arg) {
  struct blocked_send *s = arg;
  atomic_store(&s->tid, test_thread_id());
  s->rc = mproc_conn_send(s->conn, s->data, s->len, 60000);
  return NULL;
}

/* Starts a thread sending `len` patterned bytes on `conn`, far more than
 * the socket holds, and returns once it is asleep waiting for room. */
static void start_blocked_send(struct blocked_send *s, pthread_t *t, mproc_conn_t *conn,
                               size_t len, int seed) {
  unsigned char *data = malloc(len);
  assert_non_null(data);
  fill(data, len, seed);
  memset(s, 0, sizeof *s);
  s->conn = conn;
  s->data = data;
  s->len = len;
  atomic_init(&s->tid, 0);
  assert_int_equal(pthread_create(t, NULL, send_for_long, s), 0);
  while (atomic_load(&s->tid) == 0) sched_yield();
  assert_true(wait_until_thread_polls(atomic_load(&s->tid)));
}

/* A send waiting for room (part of its message sent) does not hold up other
 * sends on the same end past their deadlines: they time out on time (the
 * message in progress goes first), and nothing interleaves. */
static void a_send_waiting_for_room_keeps_others_deadlines(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because(NO_VIEW_OF_WAITS);
#endif
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  size_t big = (size_t)4 << 20; /* far more than the socket holds */
  struct blocked_send s;
  pthread_t t;
  start_blocked_send(&s, &t, a, big, 3);
  unsigned char *data = (unsigned char *)s.data;

  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_conn_send(a, "small", 5, 0), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 100);
  t0 = test_now_ms();
  assert_mproc_code(mproc_conn_send(a, "small", 5, 200), MPROC_ETIMEDOUT);
  int64_t waited = test_now_ms() - t0;
  assert_true(waited >= 190);
  assert_true(waited < 1500);

  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(b, &m, 30000));
  assert_int_equal(test_msg_size(m), big);
  assert_memory_equal(test_msg_data(m), data, big);
  mproc_msg_free(m);
  pthread_join(t, NULL);
  assert_mproc_ok(s.rc);
  /* The timed-out sends sent nothing: the end still sends. */
  assert_mproc_ok(mproc_conn_send(a, "small", 5, 1000));
  assert_mproc_ok(mproc_conn_recv(b, &m, 5000));
  assert_int_equal(test_msg_size(m), 5);
  mproc_msg_free(m);
  free(data);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

/* Several threads receive on one end at once: every message reaches
 * exactly one of them, including those read ahead by another thread. */
enum { kReceivers = 4, kMessages = 4000 };
struct receiver {
  mproc_conn_t *conn;
  int count;
  int rc;
  unsigned char *seen;
};

static void *receive_until_stop(void *arg) {
  struct receiver *r = arg;
  for (;;) {
    int msg = 0;
    size_t len = 0;
    r->rc = mproc_conn_recv_into(r->conn, &msg, sizeof msg, &len, 30000);
    if (r->rc != 0) return NULL;
    if (len != sizeof msg) {
      r->rc = -1000;
      return NULL;
    }
    if (msg < 0) return NULL;
    if (msg < kMessages) r->seen[msg]++;
    r->count++;
  }
}

static void several_threads_receive_on_one_end(void **state) {
  (void)state;
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  struct receiver rs[kReceivers];
  pthread_t ts[kReceivers];
  for (int i = 0; i < kReceivers; ++i) {
    rs[i].conn = b;
    rs[i].count = 0;
    rs[i].rc = 0;
    rs[i].seen = calloc(kMessages, 1);
    assert_int_equal(pthread_create(&ts[i], NULL, receive_until_stop, &rs[i]), 0);
  }
  for (int i = 0; i < kMessages; ++i) {
    assert_mproc_ok(mproc_conn_send(a, &i, sizeof i, 10000));
  }
  for (int i = 0; i < kReceivers; ++i) {
    int stop = -1;
    assert_mproc_ok(mproc_conn_send(a, &stop, sizeof stop, 10000));
  }
  int total = 0;
  for (int i = 0; i < kReceivers; ++i) {
    pthread_join(ts[i], NULL);
    assert_mproc_ok(rs[i].rc);
    total += rs[i].count;
  }
  for (int m = 0; m < kMessages; ++m) {
    int times = 0;
    for (int i = 0; i < kReceivers; ++i) times += rs[i].seen[m];
    assert_int_equal(times, 1);
  }
  assert_int_equal(total, kMessages);
  for (int i = 0; i < kReceivers; ++i) free(rs[i].seen);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

/* A thread of ours waits in a receive on `a` when a child is forked (through
 * mproc's fork start method, or a bare fork()): the child sends, receives
 * and polls on that same end without waiting for our thread, whose receive
 * is then satisfied as usual. */
static void fork_while_a_thread_receives(int bare_fork) {
  mproc_conn_t *a, *b, *go_rx, *go_tx;
  pair(&a, &b, 1);
  pair(&go_rx, &go_tx, 0);
  g_inherited = a;
  g_go = go_rx;
  struct blocked_recv r;
  memset(&r, 0, sizeof r);
  r.conn = a;
  atomic_init(&r.tid, 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, receive_for_long, &r), 0);
  while (atomic_load(&r.tid) == 0) sched_yield();
  assert_true(wait_until_thread_polls(atomic_load(&r.tid)));

  mproc_process_t *p = NULL;
  int64_t pid = -1;
  (void)pid; /* unused where there is no fork() */
  if (bare_fork) {
#ifndef _WIN32 /* the caller skips on Windows */
    fflush(NULL);
    pid = fork();
    if (pid == 0) _exit(use_the_inherited_end());
    assert_true(pid > 0);
#endif
  } else {
    assert_mproc_ok(mproc_process_new(&p, "use_inherited_end", NULL, NULL));
    assert_mproc_ok(mproc_process_start(p));
  }

  char buf[32];
  size_t len = 0;
  assert_mproc_ok(mproc_conn_recv_into(b, buf, sizeof buf, &len, 10000));
  assert_int_equal(len, 4);
  assert_memory_equal(buf, "ping", 4);
  /* The child waits for the go-ahead before it receives, so this one is
   * our thread's. */
  assert_mproc_ok(mproc_conn_send(b, "for the thread", 14, 10000));
  pthread_join(t, NULL);
  assert_mproc_ok(r.rc);
  assert_int_equal(r.len, 14);
  assert_memory_equal(r.got, "for the thread", 14);

  assert_mproc_ok(mproc_conn_send(go_tx, "go", 2, 10000));
  assert_mproc_ok(mproc_conn_send(b, "pong", 4, 10000));
  int recv_rc = mproc_conn_recv_into(b, buf, sizeof buf, &len, 30000);
  int code = -1;
  if (bare_fork) {
#ifndef _WIN32
    if (!test_wait_gone(pid, 30000)) test_kill_process(pid);
    int status = 0;
    assert_int_equal(waitpid((pid_t)pid, &status, 0), (pid_t)pid);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
#endif
  } else {
    if (mproc_process_join(p, 30000) != 0) mproc_process_kill(p);
    assert_mproc_ok(mproc_process_join(p, 30000));
    assert_mproc_ok(mproc_process_exitcode(p, &code));
    mproc_process_free(p);
  }
  assert_int_equal(code, 0);
  assert_mproc_ok(recv_rc);
  assert_int_equal(len, 3);
  assert_memory_equal(buf, "bye", 3);
  g_inherited = g_go = NULL;
  mproc_conn_free(a);
  mproc_conn_free(b);
  mproc_conn_free(go_rx);
  mproc_conn_free(go_tx);
}

/* A fork taken while a thread of ours is part-way through sending a big
 * message: the parent's thread sends the rest, so the child must not send
 * into the middle of it. Its sends fail with ESTATE (at once, whatever the
 * timeout), and its receives work. */
static void a_fork_child_does_not_send_into_a_message_in_progress(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("needs fork(): Windows cannot copy a process");
#else
  mproc_conn_t *a, *b;
  pair(&a, &b, 1);
  size_t big = (size_t)4 << 20; /* far more than the socket holds */
  struct blocked_send s;
  pthread_t t;
  start_blocked_send(&s, &t, a, big, 5);
  unsigned char *data = (unsigned char *)s.data;
  assert_mproc_ok(mproc_conn_send(b, "to the child", 12, 1000));

  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    char buf[16];
    size_t len = 0;
    if (mproc_conn_send(a, "x", 1, 1000) != MPROC_ESTATE) _exit(20);
    if (strstr(mproc_last_error(), "forked") == NULL) _exit(21);
    if (mproc_conn_recv_into(a, buf, sizeof buf, &len, 10000) != 0) _exit(22);
    if (len != 12 || memcmp(buf, "to the child", 12) != 0) _exit(23);
    _exit(0);
  }
  assert_true(pid > 0);
  int status = 0;
  if (!test_wait_gone(pid, 30000)) test_kill_process(pid);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);

  /* Our thread's message arrives whole. */
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(b, &m, 30000));
  assert_int_equal(test_msg_size(m), big);
  assert_memory_equal(test_msg_data(m), data, big);
  mproc_msg_free(m);
  pthread_join(t, NULL);
  assert_mproc_ok(s.rc);
  free(data);
  mproc_conn_free(a);
  mproc_conn_free(b);
#endif
}

static void a_fork_child_uses_an_end_a_thread_is_receiving_on(void **state) {
  (void)state;
  /* Only a fork child shares the parent's handles as they are. */
  if (mproc_get_start_method() != MPROC_START_FORK)
    test_skip_because("only a fork child shares the parent's handles as they are");
  fork_while_a_thread_receives(0);
}

static void a_bare_fork_child_uses_an_end_a_thread_is_receiving_on(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("needs fork(): Windows cannot copy a process");
#endif
  fork_while_a_thread_receives(1);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(messages_of_every_size_arrive_whole_and_in_order),
      cmocka_unit_test(cap_zero_asks_for_the_size),
      cmocka_unit_test(a_large_message_streams_through),
      cmocka_unit_test(receive_times_out_after_about_the_timeout),
      cmocka_unit_test(send_times_out_when_the_reader_does_not_read),
      cmocka_unit_test(a_closed_peer_gives_eof_after_the_pending_messages),
      cmocka_unit_test(sending_to_a_gone_peer_is_epipe_not_sigpipe),
      cmocka_unit_test(too_small_a_buffer_keeps_the_message),
      cmocka_unit_test(one_way_ends_refuse_the_other_direction),
      cmocka_unit_test(closed_ends_and_bad_arguments),
      cmocka_unit_test(a_socket_is_adopted_as_an_end),
      cmocka_unit_test(sends_from_many_threads_do_not_interleave),
      cmocka_unit_test(a_child_echoes_through_a_passed_end),
      cmocka_unit_test(a_dead_peer_gives_eof_at_once),
      cmocka_unit_test(a_receive_keeps_its_deadline_while_a_large_message_arrives),
      cmocka_unit_test(a_peer_closing_mid_message_is_corrupt),
      cmocka_unit_test(calls_beside_a_waiting_receive_keep_their_deadlines),
      cmocka_unit_test(a_send_waiting_for_room_keeps_others_deadlines),
      cmocka_unit_test(several_threads_receive_on_one_end),
      cmocka_unit_test(a_fork_child_uses_an_end_a_thread_is_receiving_on),
      cmocka_unit_test(a_bare_fork_child_uses_an_end_a_thread_is_receiving_on),
      cmocka_unit_test(a_fork_child_does_not_send_into_a_message_in_progress),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
