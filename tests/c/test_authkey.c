/* Authentication keys (mproc/authkey.h): a main process's own random key,
 * children inheriting it under every start method through the launch
 * request alone, keys set per child, and the refusals. Run once per start
 * method (argv[1]). */
#include "harness.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

static char self_path[4096];

/* Sends the child's own key back over its connection. */
MPROC_TASK(send_key) {
  mproc_conn_t *c = NULL;
  unsigned char key[MPROC_AUTHKEY_MAX];
  size_t len = 0;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 1;
  if (mproc_authkey_get(key, sizeof key, &len) != 0) return 2;
  if (mproc_conn_send(c, key, len, 10000) != 0) return 3;
  /* Waits for the parent's word before it exits, so that the parent can
   * look at the running child (its command line, its environment). */
  mproc_msg_t *m = NULL;
  (void)mproc_conn_recv(c, &m, 60000);
  mproc_msg_free(m);
  return 0;
}

static void expect_key_of_child(mproc_process_t *p, mproc_conn_t *near,
                                const void *want, size_t want_len) {
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(near, &m, 60000));
  const void *data = NULL;
  size_t size = 0;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_mproc_ok(mproc_msg_size(m, &size));
  assert_int_equal(size, want_len);
  assert_memory_equal(data, want, want_len);
  mproc_msg_free(m);
  assert_mproc_ok(mproc_conn_send(near, "bye", 3, 10000));
  assert_mproc_ok(mproc_process_join(p, 60000));
  int code = -1;
  assert_mproc_ok(mproc_process_exitcode(p, &code));
  assert_int_equal(code, 0);
}

static void test_main_process_key_is_32_random_bytes(void **state) {
  (void)state;
  size_t len = 0;
  assert_mproc_code(mproc_authkey_get(NULL, 0, &len), MPROC_ETOOBIG);
  assert_int_equal(len, 32);
  unsigned char a[32], b[32], zero[32] = {0};
  assert_mproc_ok(mproc_authkey_get(a, sizeof a, &len));
  assert_mproc_ok(mproc_authkey_get(b, sizeof b, &len));
  assert_memory_equal(a, b, 32); /* made once, then kept */
  assert_memory_not_equal(a, zero, 32);
}

static void test_key_differs_between_main_processes(void **state) {
  (void)state;
  /* The test program started twice as a command (not by mproc): two main
   * processes, each printing its own key. */
  char keys[2][80];
  for (int i = 0; i < 2; ++i) {
    const char *argv[] = {self_path, "print-key", NULL};
    mproc_capture_t *cap = NULL;
    assert_mproc_ok(mproc_command_capture(argv, NULL, NULL, 0, 60000, &cap));
    const char *out = NULL;
    size_t n = 0;
    assert_mproc_ok(mproc_capture_stdout(cap, &out, &n));
    assert_int_equal(n, 64);
    memcpy(keys[i], out, 64);
    keys[i][64] = '\0';
    mproc_capture_free(cap);
  }
  assert_string_not_equal(keys[0], keys[1]);
}

static void test_set_and_refusals(void **state) {
  (void)state;
  unsigned char saved[MPROC_AUTHKEY_MAX];
  size_t saved_len = 0;
  assert_mproc_ok(mproc_authkey_get(saved, sizeof saved, &saved_len));

  assert_mproc_code(mproc_authkey_set(NULL, 4), MPROC_EINVAL);
  assert_mproc_code(mproc_authkey_set("k", 0), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "empty"));
  static unsigned char huge[MPROC_AUTHKEY_MAX + 1];
  assert_mproc_code(mproc_authkey_set(huge, sizeof huge), MPROC_EINVAL);
  assert_mproc_code(mproc_authkey_get(NULL, 0, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_authkey_get(NULL, 8, &saved_len), MPROC_EINVAL);

  assert_mproc_ok(mproc_authkey_set("a new key", 9));
  char got[16];
  size_t len = 0;
  assert_mproc_code(mproc_authkey_get(got, 4, &len), MPROC_ETOOBIG);
  assert_int_equal(len, 9);
  assert_mproc_ok(mproc_authkey_get(got, sizeof got, &len));
  assert_int_equal(len, 9);
  assert_memory_equal(got, "a new key", 9);
  assert_mproc_ok(mproc_authkey_set(huge, MPROC_AUTHKEY_MAX));

  assert_mproc_ok(mproc_authkey_set(saved, saved_len));
}

static void test_child_inherits_the_key(void **state) {
  (void)state;
  unsigned char key[MPROC_AUTHKEY_MAX];
  size_t len = 0;
  assert_mproc_ok(mproc_authkey_get(key, sizeof key, &len));
  mproc_conn_t *near = NULL;
  mproc_process_t *p = test_start_with_pipe("send_key", NULL, &near);
  unsigned char queried[MPROC_AUTHKEY_MAX];
  size_t qlen = 0;
  assert_mproc_ok(mproc_process_authkey(p, queried, sizeof queried, &qlen));
  assert_int_equal(qlen, len);
  assert_memory_equal(queried, key, len);
  expect_key_of_child(p, near, key, len);
  mproc_conn_free(near);
  mproc_process_free(p);
}

static void test_key_set_through_options(void **state) {
  (void)state;
  mproc_process_opts_t *opts = NULL;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_code(mproc_process_opts_set_authkey(opts, "x", 0), MPROC_EINVAL);
  assert_mproc_ok(mproc_process_opts_set_authkey(opts, "per-child key", 13));
  mproc_conn_t *near = NULL;
  mproc_process_t *p = test_start_with_pipe("send_key", opts, &near);
  mproc_process_opts_free(opts);
  expect_key_of_child(p, near, "per-child key", 13);
  mproc_conn_free(near);
  mproc_process_free(p);
}

static void test_key_set_on_the_process_before_start(void **state) {
  (void)state;
  mproc_conn_t *near = NULL, *far = NULL;
  assert_mproc_ok(mproc_conn_pipe(&near, &far, 1));
  mproc_args_t *args = NULL;
  assert_mproc_ok(mproc_args_new(&args));
  assert_mproc_ok(mproc_args_add_conn(args, far));
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "send_key", args, NULL));
  assert_mproc_code(mproc_process_set_authkey(p, NULL, 3), MPROC_EINVAL);
  assert_mproc_ok(mproc_process_set_authkey(p, "set on p", 8));
  char got[16];
  size_t len = 0;
  assert_mproc_ok(mproc_process_authkey(p, got, sizeof got, &len));
  assert_int_equal(len, 8);
  assert_mproc_ok(mproc_process_start(p));
  mproc_conn_free(far);
  assert_mproc_code(mproc_process_set_authkey(p, "too late", 8), MPROC_ESTATE);
  expect_key_of_child(p, near, "set on p", 8);
  mproc_conn_free(near);
  mproc_process_free(p);
}

#ifdef __linux__
/* Whether the file holds `needle` anywhere. */
static int file_contains(const char *path, const void *needle, size_t n) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  static char buf[1 << 20];
  size_t got = fread(buf, 1, sizeof buf, f);
  fclose(f);
  for (size_t i = 0; i + n <= got; ++i)
    if (memcmp(buf + i, needle, n) == 0) return 1;
  return 0;
}
#endif

static void test_key_is_not_on_the_command_line_or_in_the_environment(void **state) {
  (void)state;
#ifndef __linux__
  test_skip_because("reads /proc/<pid>/cmdline and environ (Linux)");
#else
  if (mproc_get_start_method() != MPROC_START_SPAWN)
    test_skip_because("only a spawned child is a new program with a command line of its own");
  const char key[] = "SECRET-KEY-0123456789-abcdef";
  const char hexkey[] = "5345435245542d4b4559"; /* "SECRET-KEY" in hex */
  mproc_process_opts_t *opts = NULL;
  assert_mproc_ok(mproc_process_opts_new(&opts));
  assert_mproc_ok(mproc_process_opts_set_authkey(opts, key, strlen(key)));
  mproc_conn_t *near = NULL;
  mproc_process_t *p = test_start_with_pipe("send_key", opts, &near);
  mproc_process_opts_free(opts);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(near, &m, 60000)); /* the child runs its task */
  mproc_msg_free(m);
  int64_t pid = 0;
  assert_mproc_ok(mproc_process_pid(p, &pid));
  const char *files[] = {"cmdline", "environ"};
  for (int i = 0; i < 2; ++i) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%lld/%s", (long long)pid, files[i]);
    assert_int_equal(file_contains(path, key, 10), 0);
    assert_int_equal(file_contains(path, hexkey, strlen(hexkey)), 0);
    assert_int_equal(file_contains(path, "SECRET", 6), 0);
  }
  assert_mproc_ok(mproc_conn_send(near, "bye", 3, 10000));
  assert_mproc_ok(mproc_process_join(p, 60000));
  mproc_conn_free(near);
  mproc_process_free(p);
#endif
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  if (argc > 1 && strcmp(argv[1], "print-key") == 0) {
    unsigned char key[MPROC_AUTHKEY_MAX];
    size_t len = 0;
    if (mproc_authkey_get(key, sizeof key, &len) != 0) return 1;
    for (size_t i = 0; i < len; ++i) printf("%02x", key[i]);
    return 0;
  }
  if (test_self_path(self_path, sizeof self_path) != 0) return 1;
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_main_process_key_is_32_random_bytes),
      cmocka_unit_test(test_key_differs_between_main_processes),
      cmocka_unit_test(test_set_and_refusals),
      cmocka_unit_test(test_child_inherits_the_key),
      cmocka_unit_test(test_key_set_through_options),
      cmocka_unit_test(test_key_set_on_the_process_before_start),
      cmocka_unit_test(test_key_is_not_on_the_command_line_or_in_the_environment),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
