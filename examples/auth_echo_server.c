/* The tutorial's TCP echo server, authenticated: an mproc listener hands
 * each client that proves it holds the program's authkey to a child
 * process of its own, which sends back each message in capitals. Three
 * clients (children: they inherit the key) are served; an intruder with
 * another key is refused, and the server goes on. */
#include <mproc/mproc.h>

#include <stdio.h>
#include <string.h>

enum { kClients = 3, kMessages = 3 };

/* Serves one connection until the client closes it. */
MPROC_TASK(talk) {
  mproc_conn_t *c = NULL;
  if (mproc_args_get_conn(args, 0, &c) != 0) return 2;
  for (;;) {
    char buf[1024];
    size_t n = 0;
    int rc = mproc_conn_recv_into(c, buf, sizeof buf, &n, MPROC_FOREVER);
    if (rc == MPROC_EOF) return 0;
    if (rc != 0) return 3;
    for (size_t i = 0; i < n; ++i)
      if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 32);
    if (mproc_conn_send(c, buf, n, MPROC_FOREVER) != 0) return 4;
  }
}

MPROC_TASK(client) {
  const char *address = NULL;
  int64_t id = 0;
  if (mproc_args_get_str(args, 0, &address) != 0 || mproc_args_get_i64(args, 1, &id) != 0)
    return 2;
  mproc_conn_t *c = NULL;
  /* No key given: the process's own, inherited from the server. */
  if (mproc_conn_connect(&c, address, NULL, 30000) != 0) {
    fprintf(stderr, "client %lld: %s\n", (long long)id, mproc_last_error());
    return 3;
  }
  for (int i = 0; i < kMessages; ++i) {
    char msg[64], reply[64];
    int len = snprintf(msg, sizeof msg, "hello %d from client %lld", i, (long long)id);
    size_t got = 0;
    if (mproc_conn_send(c, msg, (size_t)len, 30000) != 0 ||
        mproc_conn_recv_into(c, reply, sizeof reply - 1, &got, 30000) != 0)
      return 4;
    reply[got] = '\0';
    printf("client %lld got: %s\n", (long long)id, reply);
  }
  mproc_conn_free(c);
  return 0;
}

MPROC_TASK(intruder) {
  const char *address = NULL;
  if (mproc_args_get_str(args, 0, &address) != 0) return 2;
  mproc_net_opts_t *opts = NULL;
  mproc_net_opts_new(&opts);
  mproc_net_opts_set_authkey(opts, "guessed key", 11);
  mproc_conn_t *c = NULL;
  int rc = mproc_conn_connect(&c, address, opts, 30000);
  mproc_net_opts_free(opts);
  printf("intruder: %s\n", rc == MPROC_EAUTH ? "refused (EAUTH)" : "let in!");
  mproc_conn_free(c);
  return rc == MPROC_EAUTH ? 0 : 1;
}

static mproc_process_t *start(const char *task, mproc_args_t *args) {
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, task, args, NULL) != 0 || mproc_process_start(p) != 0) {
    fprintf(stderr, "%s: %s\n", task, mproc_last_error());
    return NULL;
  }
  return p;
}

static int joined_ok(mproc_process_t *p) {
  int code = -1;
  int ok = p != NULL && mproc_process_join(p, MPROC_FOREVER) == 0 &&
           mproc_process_exitcode(p, &code) == 0 && code == 0;
  mproc_process_free(p);
  return ok;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_listener_t *listener = NULL;
  if (mproc_listener_new(&listener, "tcp:127.0.0.1:0", NULL) != 0) {
    fprintf(stderr, "listen: %s\n", mproc_last_error());
    return 1;
  }
  const char *address = NULL;
  mproc_listener_address(listener, &address);
  printf("serving on %s\n", address);

  mproc_args_t *args;
  mproc_args_new(&args);
  mproc_args_add_str(args, address);
  mproc_process_t *intruder = start("intruder", args);
  mproc_process_t *clients[kClients], *talkers[kClients];
  for (int i = 0; i < kClients; ++i) {
    mproc_args_new(&args);
    mproc_args_add_str(args, address);
    mproc_args_add_i64(args, i);
    clients[i] = start("client", args);
  }
  int served = 0, refused = 0;
  while (served < kClients || refused < 1) {
    mproc_conn_t *conn = NULL;
    int rc = mproc_listener_accept(listener, &conn, 60000);
    if (rc == MPROC_EAUTH) { /* a peer without the key: refused, and on we go */
      ++refused;
      continue;
    }
    if (rc != 0) {
      fprintf(stderr, "accept: %s\n", mproc_last_error());
      return 1;
    }
    mproc_args_new(&args);
    mproc_args_add_conn(args, conn); /* the child gets the connection */
    talkers[served++] = start("talk", args);
    mproc_conn_free(conn); /* the child has its own end now */
  }
  int failed = !joined_ok(intruder);
  for (int i = 0; i < kClients; ++i) failed |= !joined_ok(clients[i]) | !joined_ok(talkers[i]);
  mproc_listener_free(listener);
  if (failed) return 1;
  printf("server: refused %d peer(s) without the key\n", refused);
  printf("server: served %d clients\n", served);
  return 0;
}
