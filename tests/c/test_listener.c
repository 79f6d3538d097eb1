/* Listeners and clients (mproc/listener.h): every address family, messages
 * both ways, end of stream when the peer dies, authentication failures on
 * both sides, the refusals, and hostile peers (garbage, a 2 GiB length, a
 * handshake that never ends, a flood of connections), after each of which
 * the listener still serves a good client. */
#ifdef _WIN32
#include <winsock2.h> /* before harness.h's windows.h, as Winsock asks */
#endif
#include "harness.h"
#include "net_portable.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

static const char kKey[] = "listener-test-key";

/* Options with the test key (and `timeout_ms` for handshakes, 0: default). */
static mproc_net_opts_t *key_opts(const char *key, int64_t handshake_ms) {
  mproc_net_opts_t *o = NULL;
  assert_mproc_ok(mproc_net_opts_new(&o));
  assert_mproc_ok(mproc_net_opts_set_authkey(o, key, strlen(key)));
  if (handshake_ms > 0) assert_mproc_ok(mproc_net_opts_set_handshake_timeout(o, handshake_ms));
  return o;
}

static const char *address_of(mproc_listener_t *l) {
  const char *a = NULL;
  assert_mproc_ok(mproc_listener_address(l, &a));
  return a;
}

static void expect_message(mproc_conn_t *c, const void *want, size_t len) {
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(c, &m, 30000));
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_mproc_ok(mproc_msg_size(m, &size));
  assert_int_equal(size, len);
  if (len > 0) assert_memory_equal(data, want, len);
  mproc_msg_free(m);
}

struct big_send {
  mproc_conn_t *conn;
  const void *data;
  size_t len;
  int rc;
};

static TEST_THREAD_FN(send_big) {
  struct big_send *b = arg;
  b->rc = mproc_conn_send(b->conn, b->data, b->len, 60000);
  TEST_THREAD_RETURN;
}

/* A client connects, the listener accepts, and messages of 0 and 5 bytes
 * and 1 MiB go both ways; then the client closes and the server sees the
 * end. */
static void exchange(mproc_listener_t *l, const mproc_net_opts_t *opts) {
  const char *address = address_of(l);
  mproc_conn_t *client = NULL, *server = NULL;
  assert_mproc_ok(mproc_conn_connect(&client, address, opts, 30000));
  assert_mproc_ok(mproc_listener_accept(l, &server, 30000));
  assert_mproc_ok(mproc_conn_send(client, "hello", 5, 30000));
  assert_mproc_ok(mproc_conn_send(client, "", 0, 30000));
  expect_message(server, "hello", 5);
  expect_message(server, "", 0);
  assert_mproc_ok(mproc_conn_send(server, "world", 5, 30000));
  expect_message(client, "world", 5);
  /* 1 MiB does not fit the socket's buffers: a thread sends it while this
   * one receives, one direction, then the other. */
  size_t big_len = (size_t)1 << 20;
  unsigned char *big = malloc(big_len);
  assert_non_null(big);
  for (size_t i = 0; i < big_len; ++i) big[i] = (unsigned char)(i * 7 + i / 4096);
  mproc_conn_t *ends[2][2] = {{client, server}, {server, client}};
  for (int dir = 0; dir < 2; ++dir) {
    struct big_send b = {ends[dir][0], big, big_len, -1};
    test_thread_t t = test_thread_start(send_big, &b);
    expect_message(ends[dir][1], big, big_len);
    test_thread_join(t);
    assert_mproc_ok(b.rc);
  }
  free(big);
  assert_mproc_ok(mproc_conn_close(client));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(server, &m, 30000), MPROC_EOF);
  mproc_conn_free(client);
  mproc_conn_free(server);
}

/* Closing: a call waiting in accept and later calls say ECLOSED. */
static void expect_closed(mproc_listener_t *l) {
  assert_mproc_ok(mproc_listener_close(l));
  assert_mproc_ok(mproc_listener_close(l)); /* twice is harmless */
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_listener_accept(l, &c, 0), MPROC_ECLOSED);
  int fd;
  assert_mproc_code(mproc_listener_fileno(l, &fd), MPROC_ECLOSED);
}

static void test_default_address(void **state) {
  (void)state;
#ifdef _WIN32
  /* Python's default on Windows is a named pipe; mproc's is TCP on the
   * loopback address. */
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, NULL, o));
  assert_true(strncmp(address_of(l), "tcp:127.0.0.1:", 14) == 0);
  exchange(l, o);
  expect_closed(l);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
#else
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, NULL, o));
  const char *address = address_of(l);
  assert_true(strncmp(address, "unix:/", 6) == 0);
  const char *path = address + 5;
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_true(S_ISSOCK(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0600);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  *strrchr(dir, '/') = '\0';
  assert_int_equal(stat(dir, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  exchange(l, o);
  expect_closed(l);
  assert_int_not_equal(stat(path, &st), 0); /* the file and its directory went */
  assert_int_not_equal(stat(dir, &st), 0);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
#endif
}

/* A socket file: made with mode 0600 (POSIX), removed at close. Its own
 * group of tests (run as c-listener-unix): Wine has no AF_UNIX sockets. */
static void test_unix_path(void **state) {
  (void)state;
#ifdef _WIN32
  char path[MAX_PATH];
  DWORD n = GetTempPathA(sizeof path, path);
  snprintf(path + n, sizeof path - n, "mproc-test-listener-%lu.sock", GetCurrentProcessId());
  DeleteFileA(path);
  char address[MAX_PATH + 8];
  snprintf(address, sizeof address, "unix:%s", path);
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, address, o));
  exchange(l, o);
  expect_closed(l);
  assert_true(GetFileAttributesA(path) == INVALID_FILE_ATTRIBUTES);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
#else
  char path[256];
  snprintf(path, sizeof path, "/tmp/mproc-test-listener-%d.sock", (int)getpid());
  unlink(path);
  char address[300];
  snprintf(address, sizeof address, "unix:%s", path);
  mode_t old = umask(0);
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, address, o));
  umask(old);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  exchange(l, o);
  /* The path already taken: EADDRINUSE, as Python's bind. */
  mproc_listener_t *l2 = NULL;
  assert_mproc_code(mproc_listener_new(&l2, address, o), MPROC_EADDRINUSE);
  /* Someone else's file at the path by close time stays. */
  assert_int_equal(unlink(path), 0);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fclose(f);
  mproc_listener_free(l);
  assert_int_equal(stat(path, &st), 0);
  unlink(path);
  mproc_net_opts_free(o);
#endif
}

static void test_abstract_name(void **state) {
  (void)state;
#ifndef __linux__
  test_skip_because("abstract socket names are Linux's");
#else
  char address[64];
  snprintf(address, sizeof address, "abstract:mproc-test-%d", (int)getpid());
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, address, o));
  const char *bound = address_of(l);
  assert_string_equal(bound, address);
  exchange(l, o);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
#endif
}

static void test_tcp_ipv4(void **state) {
  (void)state;
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", o));
  const char *address = address_of(l);
  assert_true(strncmp(address, "tcp:127.0.0.1:", 14) == 0);
  assert_true(test_port_of(address) > 0);
  exchange(l, o);
  /* The port already taken. */
  mproc_listener_t *l2 = NULL;
  assert_mproc_code(mproc_listener_new(&l2, address, o), MPROC_EADDRINUSE);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
}

static void test_tcp_ipv6(void **state) {
  (void)state;
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  int rc = mproc_listener_new(&l, "tcp:[::1]:0", o);
  if (rc != 0) {
    mproc_net_opts_free(o);
    char why[512];
    snprintf(why, sizeof why, "no IPv6 loopback here: %s", mproc_last_error());
    test_skip_because(why);
  }
  const char *address = address_of(l);
  assert_true(strncmp(address, "tcp:[::1]:", 10) == 0);
  exchange(l, o);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
}

static void test_default_key_is_the_process_key(void **state) {
  (void)state;
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  exchange(l, NULL);
  mproc_listener_free(l);
}

static void test_wrong_key_fails_on_both_sides(void **state) {
  (void)state;
  mproc_net_opts_t *good = key_opts(kKey, 0);
  mproc_net_opts_t *bad = key_opts("another key", 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", good));
  const char *address = address_of(l);
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_conn_connect(&c, address, bad, 30000), MPROC_EAUTH);
  assert_null(c);
  assert_non_null(strstr(mproc_last_error(), "rejected"));
  assert_mproc_code(mproc_listener_accept(l, &c, 30000), MPROC_EAUTH);
  assert_non_null(strstr(mproc_last_error(), "127.0.0.1:"));
  assert_non_null(strstr(mproc_last_error(), "authkey"));
  /* Nothing was delivered: no connection waits. */
  assert_mproc_code(mproc_listener_accept(l, &c, 0), MPROC_ETIMEDOUT);
  exchange(l, good);
  mproc_listener_free(l);
  /* Without report_failures, accept skips such peers silently. */
  assert_mproc_ok(mproc_net_opts_set_report_failures(good, 0));
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", good));
  assert_mproc_code(mproc_conn_connect(&c, address_of(l), bad, 30000), MPROC_EAUTH);
  assert_mproc_code(mproc_listener_accept(l, &c, 300), MPROC_ETIMEDOUT);
  exchange(l, good);
  mproc_listener_free(l);
  mproc_net_opts_free(good);
  mproc_net_opts_free(bad);
}

static void test_no_auth(void **state) {
  (void)state;
  mproc_net_opts_t *o = NULL;
  assert_mproc_ok(mproc_net_opts_new(&o));
  assert_mproc_ok(mproc_net_opts_set_no_auth(o, 1));
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", o));
  exchange(l, o);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
}

static void test_accept_timeout_and_refusals(void **state) {
  (void)state;
  mproc_listener_t *l = NULL;
  assert_mproc_code(mproc_listener_new(NULL, "tcp:127.0.0.1:0", NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_listener_new(&l, "tcp:127.0.0.1", NULL), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "tcp:host:port"));
  assert_mproc_code(mproc_listener_new(&l, "carrier-pigeon:x", NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_listener_new(&l, "tcp:no-such-host.invalid:0", NULL), MPROC_ENOTFOUND);
#ifndef _WIN32
  assert_mproc_code(mproc_listener_new(&l, "unix:/no/such/dir/sock", NULL), MPROC_ENOENT);
  char longpath[200];
  memset(longpath, 'x', sizeof longpath);
  memcpy(longpath, "unix:/tmp/", 10);
  longpath[sizeof longpath - 1] = '\0';
  assert_mproc_code(mproc_listener_new(&l, longpath, NULL), MPROC_ENAMETOOLONG);
#endif

  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  mproc_conn_t *c = NULL;
  int64_t start = test_now_ms();
  assert_mproc_code(mproc_listener_accept(l, &c, 100), MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - start >= 90);
  assert_mproc_code(mproc_listener_accept(l, &c, -2), MPROC_EINVAL);
  assert_mproc_code(mproc_listener_accept(l, NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_listener_address(l, NULL), MPROC_EINVAL);
  const char *address = address_of(l);
  assert_mproc_ok(mproc_listener_close(l));
  /* Nobody listens there now. */
  assert_mproc_code(mproc_conn_connect(&c, address, NULL, 30000), MPROC_ECONNREFUSED);
#ifndef _WIN32
  assert_mproc_code(mproc_conn_connect(&c, "unix:/no/such/socket", NULL, 30000), MPROC_ENOENT);
#endif
  assert_mproc_code(mproc_conn_connect(&c, NULL, NULL, 1000), MPROC_EINVAL);
  assert_mproc_code(mproc_conn_connect(&c, "tcp:x", NULL, 1000), MPROC_EINVAL);
  mproc_listener_free(l);
  mproc_listener_free(NULL);

  mproc_net_opts_t *o = NULL;
  assert_mproc_ok(mproc_net_opts_new(&o));
  assert_mproc_code(mproc_net_opts_set_authkey(o, "", 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_authkey(o, NULL, 3), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_handshake_timeout(o, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_handshake_timeout(o, -5), MPROC_EINVAL);
  assert_mproc_ok(mproc_net_opts_set_handshake_timeout(o, MPROC_FOREVER));
  assert_mproc_code(mproc_net_opts_set_backlog(o, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_max_pending(o, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_max_pending(o, 5000), MPROC_EINVAL);
  assert_mproc_code(mproc_net_opts_set_max_message(o, 0), MPROC_EINVAL);
  mproc_net_opts_free(o);
  mproc_net_opts_free(NULL);
}

static void test_send_buffer(void **state) {
  (void)state;
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", o));
  assert_mproc_ok(mproc_net_opts_set_send_buffer(o, 4096));
  const char *address = address_of(l);
  mproc_conn_t *client = NULL, *server = NULL;
  assert_mproc_ok(mproc_conn_connect(&client, address, o, 30000));
  assert_mproc_ok(mproc_listener_accept(l, &server, 30000));
  assert_mproc_ok(mproc_conn_flush(server, 0)); /* nothing buffered: at once */
  /* Buffered: nothing arrives until a flush. */
  assert_mproc_ok(mproc_conn_send(client, "one", 3, 0));
  assert_mproc_ok(mproc_conn_send(client, "", 0, 0));
  assert_mproc_ok(mproc_conn_send(client, "three", 5, 0));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(server, &m, 100), MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_conn_flush(client, 30000));
  expect_message(server, "one", 3);
  expect_message(server, "", 0);
  expect_message(server, "three", 5);
  /* A message that does not fit goes out with what was buffered before it. */
  static char big[5000];
  memset(big, 'b', sizeof big);
  assert_mproc_ok(mproc_conn_send(client, "before", 6, 0));
  assert_mproc_ok(mproc_conn_send(client, big, sizeof big, 30000));
  expect_message(server, "before", 6);
  expect_message(server, big, sizeof big);
  /* Waiting for a reply sends the request first. */
  assert_mproc_ok(mproc_conn_send(client, "request", 7, 0));
  assert_mproc_code(mproc_conn_poll(client, 0), MPROC_ETIMEDOUT);
  expect_message(server, "request", 7);
  /* Freeing sends what is left, then the end. */
  assert_mproc_ok(mproc_conn_send(client, "last", 4, 0));
  mproc_conn_free(client);
  expect_message(server, "last", 4);
  assert_mproc_code(mproc_conn_recv(server, &m, 30000), MPROC_EOF);
  mproc_conn_free(server);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
}

/* ---- The peer dies ----------------------------------------------------- */

MPROC_TASK(connect_send_block) {
  const char *address = NULL;
  if (mproc_args_get_str(args, 0, &address) != 0) return 1;
  mproc_conn_t *c = NULL;
  /* The child holds its parent's key, inherited. */
  if (mproc_conn_connect(&c, address, NULL, 30000) != 0) return 2;
  if (mproc_conn_send(c, "from the child", 14, 30000) != 0) return 3;
  test_block_forever();
}

static void test_eof_when_the_peer_dies(void **state) {
  (void)state;
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", NULL));
  const char *address = address_of(l);
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_str(args, address));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "connect_send_block", args, NULL));
  assert_mproc_ok(mproc_process_start(p));
  mproc_conn_t *server = NULL;
  assert_mproc_ok(mproc_listener_accept(l, &server, 60000));
  expect_message(server, "from the child", 14);
  assert_mproc_ok(mproc_process_kill(p));
  mproc_msg_t *m = NULL;
  assert_mproc_code(mproc_conn_recv(server, &m, 60000), MPROC_EOF);
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_conn_free(server);
  mproc_process_free(p);
  mproc_listener_free(l);
}

/* ---- Hostile peers ----------------------------------------------------- */

/* A listener on TCP with the test key and a short handshake timeout. */
static mproc_listener_t *hostile_listener(int64_t handshake_ms, size_t max_message,
                                          int *port, const char **address) {
  mproc_net_opts_t *o = key_opts(kKey, handshake_ms);
  if (max_message > 0) assert_mproc_ok(mproc_net_opts_set_max_message(o, max_message));
  /* Room in the kernel's queue for a whole flood (the peers connect
   * before any closes; the listener takes max_pending at a time). */
  assert_mproc_ok(mproc_net_opts_set_backlog(o, 512));
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, "tcp:127.0.0.1:0", o));
  mproc_net_opts_free(o);
  *address = address_of(l);
  *port = test_port_of(*address);
  return l;
}

/* Reads the listener's challenge off a raw socket. */
static void read_challenge(test_sock_t s) {
  unsigned char frame[4 + 59];
  assert_int_equal(test_sock_read_exact(s, frame, sizeof frame), 0);
  assert_memory_equal(frame, "\x00\x00\x00\x3b#CHALLENGE#{sha256}", 23);
}

/* After a hostile peer: a good client is still served. */
static void good_client_served(mproc_listener_t *l) {
  mproc_net_opts_t *o = key_opts(kKey, 0);
  const char *address = address_of(l);
  mproc_conn_t *client = NULL, *server = NULL;
  assert_mproc_ok(mproc_conn_connect(&client, address, o, 30000));
  for (;;) { /* skip failures of earlier peers still being reported */
    int rc = mproc_listener_accept(l, &server, 30000);
    if (rc == MPROC_EAUTH) continue;
    assert_mproc_ok(rc);
    break;
  }
  assert_mproc_ok(mproc_conn_send(client, "ping", 4, 30000));
  expect_message(server, "ping", 4);
  mproc_conn_free(client);
  mproc_conn_free(server);
  mproc_net_opts_free(o);
}

static void test_hostile_garbage(void **state) {
  (void)state;
  int port;
  const char *address;
  mproc_listener_t *l = hostile_listener(0, 0, &port, &address);
  test_sock_t s = test_tcp_connect(port);
  assert_true(s != TEST_SOCK_NONE);
  const char garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  assert_int_equal(test_sock_send(s, garbage, sizeof garbage - 1), 0);
  mproc_conn_t *c = NULL;
  assert_mproc_code(mproc_listener_accept(l, &c, 30000), MPROC_EAUTH);
  assert_non_null(strstr(mproc_last_error(), "bytes"));
  /* The peer got the challenge, then the connection closed. */
  char buf[256];
  size_t n = test_sock_read_to_end(s, buf, sizeof buf);
  assert_true(n >= 63);
  test_sock_close(s);
  good_client_served(l);
  mproc_listener_free(l);
}

static void test_hostile_2gib_length_in_handshake(void **state) {
  (void)state;
  int port;
  const char *address;
  mproc_listener_t *l = hostile_listener(0, 0, &port, &address);
  long rss_before = test_rss_kib();
  const char *headers[] = {"\x7f\xff\xff\xff", "\x80\x00\x00\x00", "\xff\xff\xff\xff"};
  for (int i = 0; i < 3; ++i) {
    test_sock_t s = test_tcp_connect(port);
    assert_true(s != TEST_SOCK_NONE);
    read_challenge(s);
    assert_int_equal(test_sock_send(s, headers[i], 4), 0);
    if (i == 2) /* the long form: 8 more bytes saying 2^40 */
      assert_int_equal(test_sock_send(s, "\x00\x00\x01\x00\x00\x00\x00\x00", 8), 0);
    mproc_conn_t *c = NULL;
    assert_mproc_code(mproc_listener_accept(l, &c, 30000), MPROC_EAUTH);
    test_sock_close(s);
  }
  long rss_after = test_rss_kib();
  if (rss_before > 0) assert_true(rss_after - rss_before < 16 * 1024);
  good_client_served(l);
  mproc_listener_free(l);
}

static void test_hostile_2gib_length_after_handshake(void **state) {
  (void)state;
  /* An authenticated peer announcing 2 GiB - 1: the default limit lets it
   * through, but memory follows what arrives, not what was announced; with
   * a limit, ETOOBIG at once and nothing read. */
  for (int limited = 0; limited < 2; ++limited) {
    int port;
    const char *address;
    mproc_listener_t *l = hostile_listener(0, limited ? 1 << 20 : 0, &port, &address);
    mproc_net_opts_t *o = key_opts(kKey, 0);
    mproc_conn_t *client = NULL, *server = NULL;
    assert_mproc_ok(mproc_conn_connect(&client, address, o, 30000));
    assert_mproc_ok(mproc_listener_accept(l, &server, 30000));
    int fd = -1;
    assert_mproc_ok(mproc_conn_fileno(client, &fd));
    long rss_before = test_rss_kib();
    /* The header of a 2 GiB - 1 message, and a little of its body. */
    unsigned char part[4 + 4096];
    memcpy(part, "\x7f\xff\xff\xff", 4);
    memset(part + 4, 'z', 4096);
    assert_int_equal(send((test_sock_t)fd, (const char *)part, sizeof part, 0), (int)sizeof part);
    mproc_msg_t *m = NULL;
    if (limited) {
      assert_mproc_code(mproc_conn_recv(server, &m, 30000), MPROC_ETOOBIG);
      assert_non_null(strstr(mproc_last_error(), "2147483647"));
      assert_mproc_code(mproc_conn_recv(server, &m, 0), MPROC_ETOOBIG); /* stays broken */
    } else {
      assert_mproc_code(mproc_conn_recv(server, &m, 200), MPROC_ETIMEDOUT);
      long rss_after = test_rss_kib();
      if (rss_before > 0) assert_true(rss_after - rss_before < 16 * 1024);
      mproc_conn_close(client);
      assert_mproc_code(mproc_conn_recv(server, &m, 30000), MPROC_ECORRUPT);
    }
    mproc_conn_free(client);
    mproc_conn_free(server);
    mproc_net_opts_free(o);
    good_client_served(l);
    mproc_listener_free(l);
  }
}

static void test_hostile_silent_peer_times_out(void **state) {
  (void)state;
  int port;
  const char *address;
  mproc_listener_t *l = hostile_listener(300, 0, &port, &address);
  test_sock_t silent = test_tcp_connect(port);
  assert_true(silent != TEST_SOCK_NONE);
  /* While the silent peer holds its handshake open, a good client is
   * served: the first connection accept hands out is the good one. */
  mproc_net_opts_t *o = key_opts(kKey, 0);
  mproc_conn_t *client = NULL, *server = NULL;
  assert_mproc_ok(mproc_conn_connect(&client, address, o, 30000));
  assert_mproc_ok(mproc_listener_accept(l, &server, 30000));
  mproc_conn_t *none = NULL;
  assert_mproc_code(mproc_listener_accept(l, &none, 30000), MPROC_EAUTH);
  assert_non_null(strstr(mproc_last_error(), "did not finish within 300 ms"));
  test_sock_close(silent);
  mproc_conn_free(client);
  mproc_conn_free(server);
  mproc_net_opts_free(o);
  good_client_served(l);
  mproc_listener_free(l);
}

static void test_hostile_flood_of_connections(void **state) {
  (void)state;
  int port;
  const char *address;
  mproc_listener_t *l = hostile_listener(0, 0, &port, &address);
  int fds_before = test_open_fds();
  enum { kFlood = 200 };
  test_sock_t socks[kFlood];
  int opened = 0;
  for (int i = 0; i < kFlood; ++i) {
    socks[i] = test_tcp_connect(port);
    if (socks[i] != TEST_SOCK_NONE) ++opened;
  }
  assert_true(opened > 0);
  for (int i = 0; i < kFlood; ++i)
    if (socks[i] != TEST_SOCK_NONE) test_sock_close(socks[i]);
  good_client_served(l);
  /* Failures are reported (at most max_pending of them kept), then none. */
  mproc_conn_t *c = NULL;
  int reported = 0;
  while (mproc_listener_accept(l, &c, 200) == MPROC_EAUTH) ++reported;
  assert_true(reported <= 32);
  int fds_after = test_open_fds();
  if (fds_before >= 0) assert_true(fds_after <= fds_before + 4);
  good_client_served(l);
  mproc_listener_free(l);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  if (argc > 1 && strcmp(argv[1], "unix") == 0) {
    const struct CMUnitTest unix_tests[] = {
        cmocka_unit_test(test_unix_path),
    };
    return cmocka_run_group_tests_name("unix", unix_tests, NULL, NULL);
  }
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_address),
      cmocka_unit_test(test_abstract_name),
      cmocka_unit_test(test_tcp_ipv4),
      cmocka_unit_test(test_tcp_ipv6),
      cmocka_unit_test(test_default_key_is_the_process_key),
      cmocka_unit_test(test_wrong_key_fails_on_both_sides),
      cmocka_unit_test(test_no_auth),
      cmocka_unit_test(test_accept_timeout_and_refusals),
      cmocka_unit_test(test_send_buffer),
      cmocka_unit_test(test_eof_when_the_peer_dies),
      cmocka_unit_test(test_hostile_garbage),
      cmocka_unit_test(test_hostile_2gib_length_in_handshake),
      cmocka_unit_test(test_hostile_2gib_length_after_handshake),
      cmocka_unit_test(test_hostile_silent_peer_times_out),
      cmocka_unit_test(test_hostile_flood_of_connections),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
