/* Python's own multiprocessing.connection against mproc's listeners and
 * clients (tests/interop/py_auth_peer.py, standard library only): a Python
 * Client talks to an mproc listener and an mproc client to a Python
 * Listener, over a socket file, an abstract name (Linux) and TCP, with
 * Python 3.11 (python3) and, when installed, 3.12 and 3.13 (whose
 * handshake has the {sha256} form); a wrong key fails on both sides with
 * nothing delivered.
 *
 * The environment names the peer script (MPROC_PY_PEER) and the
 * interpreters (MPROC_PYTHONS: "label=path" pairs separated by ';', a
 * missing one as "label=" with the reason why in MPROC_PYTHONS_MISSING). */
#include "../c/harness.h"

#ifndef _WIN32
#include <unistd.h>
#endif

static const char kKey[] = "interop-key";
static const char kKeyHex[] = "696e7465726f702d6b6579";
static const char kWrongHex[] = "77726f6e67";

struct python {
  char label[32];
  char path[1024];
};
static struct python pythons[4];
static int python_count;
static const char *peer_script;

static void load_pythons(void) {
  const char *list = getenv("MPROC_PYTHONS");
  peer_script = getenv("MPROC_PY_PEER");
  if (list == NULL) return;
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", list);
  for (char *item = strtok(copy, ";"); item != NULL && python_count < 4;
       item = strtok(NULL, ";")) {
    char *eq = strchr(item, '=');
    if (eq == NULL) continue;
    *eq = '\0';
    struct python *p = &pythons[python_count++];
    snprintf(p->label, sizeof p->label, "%s", item);
    snprintf(p->path, sizeof p->path, "%s", eq + 1);
  }
}

/* The interpreter labelled `label`, or NULL after printing why it is
 * skipped. */
static const char *python_for(const char *label) {
  for (int i = 0; i < python_count; ++i)
    if (strcmp(pythons[i].label, label) == 0 && pythons[i].path[0] != '\0')
      return pythons[i].path;
  return NULL;
}

static mproc_net_opts_t *opts_with(const char *key) {
  mproc_net_opts_t *o = NULL;
  assert_mproc_ok(mproc_net_opts_new(&o));
  assert_mproc_ok(mproc_net_opts_set_authkey(o, key, strlen(key)));
  return o;
}

static mproc_command_t *start_peer(const char *const *argv) {
  mproc_command_opts_t *co = NULL;
  assert_mproc_ok(mproc_command_opts_new(&co));
  assert_mproc_ok(mproc_command_opts_set_stdio(co, MPROC_STDOUT, MPROC_STDIO_PIPE));
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, co));
  mproc_command_opts_free(co);
  assert_mproc_ok(mproc_command_start(cmd));
  return cmd;
}

/* Reads the peer's stdout up to its first newline (or its end). */
static void read_line(mproc_command_t *cmd, char *line, size_t cap) {
  size_t used = 0;
  line[0] = '\0';
  while (used + 1 < cap) {
    size_t n = 0;
    int rc = mproc_command_read(cmd, MPROC_STDOUT, line + used, 1, &n, 60000);
    if (rc == MPROC_EOF) break;
    assert_mproc_ok(rc);
    if (line[used] == '\n') break;
    used += n;
  }
  line[used] = '\0';
}

static int finish_peer(mproc_command_t *cmd, char *out, size_t cap) {
  read_line(cmd, out, cap);
  assert_mproc_ok(mproc_command_join(cmd, 60000));
  int code = -1;
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  mproc_command_free(cmd);
  return code;
}

static void expect_reversed(mproc_conn_t *c, const unsigned char *sent, size_t len) {
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(c, &m, 60000));
  const unsigned char *data = NULL;
  size_t size = 0;
  assert_mproc_ok(mproc_msg_data(m, (const void **)&data));
  assert_mproc_ok(mproc_msg_size(m, &size));
  assert_int_equal(size, len);
  for (size_t i = 0; i < len; ++i) assert_int_equal(data[i], sent[len - 1 - i]);
  mproc_msg_free(m);
}

/* Messages both ways: empty, short, and 200 KB (several socket reads). */
static void talk(mproc_conn_t *c) {
  static unsigned char big[200000];
  for (size_t i = 0; i < sizeof big; ++i) big[i] = (unsigned char)(i * 31 + 7);
  const struct {
    const void *data;
    size_t len;
  } messages[] = {{"", 0}, {"hello from mproc", 16}, {big, sizeof big}};
  for (size_t i = 0; i < 3; ++i) {
    assert_mproc_ok(mproc_conn_send(c, messages[i].data, messages[i].len, 60000));
    expect_reversed(c, messages[i].data, messages[i].len);
  }
}

/* The address for `family` that a listener of either side takes. */
static void address_for(const char *family, char *out, size_t cap, int serial) {
  if (strcmp(family, "tcp") == 0) {
    snprintf(out, cap, "tcp:127.0.0.1:0");
  } else if (strcmp(family, "abstract") == 0) {
    snprintf(out, cap, "abstract:mproc-interop-%d-%d", (int)mproc_getpid(), serial);
  } else {
    snprintf(out, cap, "unix:/tmp/mproc-interop-%d-%d.sock", (int)mproc_getpid(), serial);
#ifndef _WIN32
    unlink(out + 5);
#endif
  }
}

static int serial;

static void python_client_to_mproc_listener(const char *label, const char *family) {
  const char *python = python_for(label);
  if (python == NULL) {
    char why[128];
    snprintf(why, sizeof why, "Python %s is not installed here", label);
    test_skip_because(why);
  }
  char address[256];
  address_for(family, address, sizeof address, ++serial);
  mproc_net_opts_t *o = opts_with(kKey);
  mproc_listener_t *l = NULL;
  assert_mproc_ok(mproc_listener_new(&l, address, o));
  const char *bound = NULL;
  assert_mproc_ok(mproc_listener_address(l, &bound));
  const char *argv[] = {python, peer_script, "client", bound, kKeyHex, "3", NULL};
  mproc_command_t *cmd = start_peer(argv);
  mproc_conn_t *c = NULL;
  assert_mproc_ok(mproc_listener_accept(l, &c, 60000));
  talk(c);
  mproc_msg_t *m = NULL;
  assert_mproc_ok(mproc_conn_recv(c, &m, 60000));
  const void *data = NULL;
  assert_mproc_ok(mproc_msg_data(m, &data));
  assert_memory_equal(data, "python done", 11);
  mproc_msg_free(m);
  mproc_conn_free(c);
  char line[512];
  assert_int_equal(finish_peer(cmd, line, sizeof line), 0);

  /* The wrong key: Python's Client raises AuthenticationError, mproc's
   * accept says EAUTH, and no connection is handed out. */
  const char *wrong[] = {python, peer_script, "client", bound, kWrongHex, "0", NULL};
  cmd = start_peer(wrong);
  assert_mproc_code(mproc_listener_accept(l, &c, 60000), MPROC_EAUTH);
  assert_int_equal(finish_peer(cmd, line, sizeof line), 3);
  assert_non_null(strstr(line, "AuthenticationError"));
  assert_mproc_code(mproc_listener_accept(l, &c, 0), MPROC_ETIMEDOUT);
  mproc_listener_free(l);
  mproc_net_opts_free(o);
}

static void mproc_client_to_python_listener(const char *label, const char *family) {
  const char *python = python_for(label);
  if (python == NULL) {
    char why[128];
    snprintf(why, sizeof why, "Python %s is not installed here", label);
    test_skip_because(why);
  }
  for (int wrong = 0; wrong < 2; ++wrong) {
    char address[256];
    address_for(family, address, sizeof address, ++serial);
    const char *argv[] = {python, peer_script, "listener", address, kKeyHex, NULL};
    mproc_command_t *cmd = start_peer(argv);
    char bound[512];
    read_line(cmd, bound, sizeof bound);
    assert_true(strlen(bound) > 4);
    mproc_net_opts_t *o = opts_with(wrong ? "wrong" : kKey);
    mproc_conn_t *c = NULL;
    char line[512];
    if (!wrong) {
      assert_mproc_ok(mproc_conn_connect(&c, bound, o, 60000));
      talk(c);
      mproc_conn_free(c); /* Python's recv sees the end and returns */
      assert_int_equal(finish_peer(cmd, line, sizeof line), 0);
    } else {
      assert_mproc_code(mproc_conn_connect(&c, bound, o, 60000), MPROC_EAUTH);
      assert_null(c);
      assert_int_equal(finish_peer(cmd, line, sizeof line), 3);
      assert_non_null(strstr(line, "AuthenticationError"));
    }
    mproc_net_opts_free(o);
  }
}

#define PAIR(label, family, ident)                                                       \
  static void test_py##ident##_client_##family(void **state) {                           \
    (void)state;                                                                         \
    python_client_to_mproc_listener(label, #family);                                     \
  }                                                                                      \
  static void test_py##ident##_listener_##family(void **state) {                         \
    (void)state;                                                                         \
    mproc_client_to_python_listener(label, #family);                                     \
  }

PAIR("3.11", unix, 311)
PAIR("3.11", tcp, 311)
PAIR("3.11", abstract, 311)
PAIR("3.12", unix, 312)
PAIR("3.12", tcp, 312)
PAIR("3.13", tcp, 313)
PAIR("3.13", abstract, 313)

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  load_pythons();
  if (peer_script == NULL || python_for("3.11") == NULL) {
    print_message("MPROC_PY_PEER and MPROC_PYTHONS (with 3.11) must be set\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_py311_client_unix),     cmocka_unit_test(test_py311_listener_unix),
      cmocka_unit_test(test_py311_client_tcp),      cmocka_unit_test(test_py311_listener_tcp),
#ifdef __linux__
      cmocka_unit_test(test_py311_client_abstract), cmocka_unit_test(test_py311_listener_abstract),
      cmocka_unit_test(test_py313_client_abstract), cmocka_unit_test(test_py313_listener_abstract),
#endif
      cmocka_unit_test(test_py312_client_unix),     cmocka_unit_test(test_py312_listener_unix),
      cmocka_unit_test(test_py312_client_tcp),      cmocka_unit_test(test_py312_listener_tcp),
      cmocka_unit_test(test_py313_client_tcp),      cmocka_unit_test(test_py313_listener_tcp),
  };
  return cmocka_run_group_tests_name("auth-interop", tests, NULL, NULL);
}
