/* Owner death across pid namespaces (issue: a live owner in another pid
 * namespace must never look dead; a dead one must still be recovered).
 *
 * The host creates a named lock and named queues, then starts this same
 * program as a peer in a new pid namespace (run_in_pidns names the
 * command). They take the lock from each other and put into one queue at
 * once; the host checks that no live owner's lock was taken, that every
 * message arrived once and whole, and that the lock the peer died holding
 * is recovered with EOWNERDEAD. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kEach = 2000, kPayload = 200 };


/* A message: who, index, then a payload every byte of which derives from
 * both, so a torn or mixed message is seen. */
static size_t make_message(char *buf, char who, int i) {
  size_t n = (size_t)snprintf(buf, 32, "%c%05d:", who, i);
  for (int k = 0; k < kPayload; ++k) buf[n + (size_t)k] = (char)('a' + (who + i + k) % 26);
  return n + kPayload;
}

static int get_text(mproc_queue_t *q, char *buf, size_t cap) {
  size_t len = 0;
  int rc = mproc_queue_get_into(q, buf, cap - 1, &len, 30000);
  if (rc == 0) buf[len] = '\0';
  return rc;
}

static void put_text(mproc_queue_t *q, const char *text) {
  CHECK(mproc_queue_put(q, text, strlen(text), 30000) == 0, "put '%s'", text);
}

static int peer(const char *lock_name, const char *to_host_name, const char *to_peer_name,
                const char *data_name) {
  mproc_lock_t *lock = NULL;
  mproc_queue_t *to_host = NULL, *to_peer = NULL, *data = NULL;
  CHECK(mproc_lock_open(&lock, lock_name) == 0, "peer: open lock");
  CHECK(mproc_queue_open(&to_host, to_host_name) == 0, "peer: open queue");
  CHECK(mproc_queue_open(&to_peer, to_peer_name) == 0, "peer: open queue");
  CHECK(mproc_queue_open(&data, data_name) == 0, "peer: open queue");
  char text[64];
  /* The host holds the lock and is alive: waiting must time out. */
  int rc = mproc_lock_acquire(lock, 300);
  snprintf(text, sizeof text, "A %d pid %lld", rc, (long long)getpid());
  put_text(to_host, text);
  CHECK(get_text(to_peer, text, sizeof text) == 0 && strcmp(text, "released") == 0, "peer: step");
  CHECK(mproc_lock_acquire(lock, 10000) == 0, "peer: acquire");
  put_text(to_host, "B held");
  CHECK(get_text(to_peer, text, sizeof text) == 0 && strcmp(text, "go") == 0, "peer: go");
  char msg[256];
  for (int i = 0; i < kEach; ++i) {
    size_t n = make_message(msg, 'p', i);
    CHECK(mproc_queue_put(data, msg, n, 30000) == 0, "peer: put %d", i);
  }
  /* Ends holding the lock: the kernel must mark it. */
  _exit(0);
}

static int host(char **command) {
  char lock_name[64], to_host_name[64], to_peer_name[64], data_name[64];
  long long pid = (long long)getpid();
  snprintf(lock_name, sizeof lock_name, "mproc-test-nslock-%lld", pid);
  snprintf(to_host_name, sizeof to_host_name, "mproc-test-nsup-%lld", pid);
  snprintf(to_peer_name, sizeof to_peer_name, "mproc-test-nsdown-%lld", pid);
  snprintf(data_name, sizeof data_name, "mproc-test-nsdata-%lld", pid);

  mproc_shared_opts_t *so = NULL;
  CHECK(mproc_shared_opts_new(&so) == 0 && mproc_shared_opts_set_name(so, lock_name) == 0, "opts");
  mproc_lock_t *lock = NULL;
  CHECK(mproc_lock_new(&lock, so) == 0, "lock");
  mproc_shared_opts_free(so);
  mproc_queue_t *to_host = NULL, *to_peer = NULL, *data = NULL;
  const char *qnames[3] = {to_host_name, to_peer_name, data_name};
  mproc_queue_t **queues[3] = {&to_host, &to_peer, &data};
  for (int i = 0; i < 3; ++i) {
    mproc_queue_opts_t *qo = NULL;
    CHECK(mproc_queue_opts_new(&qo) == 0 && mproc_queue_opts_set_name(qo, qnames[i]) == 0 &&
              mproc_queue_opts_set_capacity(qo, 4 << 20) == 0,
          "queue opts");
    CHECK(mproc_queue_new(queues[i], qo) == 0, "queue");
    mproc_queue_opts_free(qo);
  }
  CHECK(mproc_lock_acquire(lock, 0) == 0, "host: acquire");

  /* command... peer <names> */
  char *argv[32];
  int n = 0;
  while (command[n] != NULL && n < 24) { argv[n] = command[n]; ++n; }
  argv[n++] = "peer";
  argv[n++] = lock_name;
  argv[n++] = to_host_name;
  argv[n++] = to_peer_name;
  argv[n++] = data_name;
  argv[n] = NULL;
  pid_t child = fork();
  CHECK(child >= 0, "fork");
  if (child == 0) {
    execvp(argv[0], argv);
    _exit(127);
  }

  char text[64];
  CHECK(get_text(to_host, text, sizeof text) == 0, "host: step A");
  int rc = 0;
  long long peer_pid = 0;
  CHECK(sscanf(text, "A %d pid %lld", &rc, &peer_pid) == 2, "host: '%s'", text);
  printf("peer runs as pid %lld of its own namespace (host pid %lld)\n", peer_pid, pid);
  CHECK(rc == MPROC_ETIMEDOUT,
        "the peer took a lock whose owner is alive in another pid namespace: %s",
        mproc_err_name(rc));
  CHECK(mproc_lock_release(lock) == 0, "host: release");
  put_text(to_peer, "released");
  CHECK(get_text(to_host, text, sizeof text) == 0 && strcmp(text, "B held") == 0, "host: B");
  rc = mproc_lock_acquire(lock, 300);
  CHECK(rc == MPROC_ETIMEDOUT, "the host took the live peer's lock: %s", mproc_err_name(rc));

  put_text(to_peer, "go");
  char msg[256];
  for (int i = 0; i < kEach; ++i) {
    size_t len = make_message(msg, 'h', i);
    CHECK(mproc_queue_put(data, msg, len, 30000) == 0, "host: put %d", i);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child, "waitpid");
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "peer ended with status %d", status);

  static unsigned char seen[2][kEach];
  for (int k = 0; k < 2 * kEach; ++k) {
    size_t len = 0;
    CHECK(mproc_queue_get_into(data, msg, sizeof msg, &len, 5000) == 0, "get %d", k);
    char who = msg[0];
    int i = atoi(msg + 1);
    char want[256];
    CHECK((who == 'h' || who == 'p') && i >= 0 && i < kEach, "garbled message %d", k);
    size_t want_len = make_message(want, who, i);
    CHECK(len == want_len && memcmp(msg, want, len) == 0, "torn message %c%d", who, i);
    CHECK(!seen[who == 'p'][i], "duplicated message %c%d", who, i);
    seen[who == 'p'][i] = 1;
  }
  size_t left = 1;
  CHECK(mproc_queue_qsize(data, &left) == 0 && left == 0, "extra messages: %zu", left);

  rc = mproc_lock_acquire(lock, 5000);
  CHECK(rc == MPROC_EOWNERDEAD, "the lock the peer died holding: %s", mproc_err_name(rc));
  CHECK(mproc_lock_release(lock) == 0, "release");
  printf("live owners kept their locks both ways; %d messages, none lost, torn or "
         "duplicated; the dead peer's lock recovered\n", 2 * kEach);

  mproc_unlink(lock_name);
  for (int i = 0; i < 3; ++i) {
    mproc_unlink(qnames[i]);
    mproc_queue_free(*queues[i]);
  }
  mproc_lock_free(lock);
  return 0;
}

int main(int argc, char **argv) {
  if (mproc_main(argc, argv) != 0) return 1;
  if (argc == 6 && strcmp(argv[1], "peer") == 0) return peer(argv[2], argv[3], argv[4], argv[5]);
  if (argc < 2) {
    fprintf(stderr, "usage: %s COMMAND... (the command that starts a peer in a new pid "
                    "namespace, ending with this program's path)\n", argv[0]);
    return 2;
  }
  return host(argv + 1);
}
