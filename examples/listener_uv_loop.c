/* One libuv loop serving a listener and a queue: both give a descriptor
 * (mproc_listener_fileno, mproc_queue_fileno) that the loop watches with
 * uv_poll. Two producer processes put work on the queue while two client
 * processes connect; the loop answers each client and drains the queue,
 * and stops once it has heard from all of them.
 *
 * The descriptors say "something may be there": after each wake-up the
 * loop takes what is there without waiting (accept and get with a timeout
 * of 0) until nothing is left, as mproc/wait.h asks. */
#define _GNU_SOURCE 1 /* libuv's header needs POSIX's rwlocks */
#include <mproc/mproc.h>
#include <uv.h>

#include <stdio.h>
#include <string.h>

enum { kProducers = 2, kItems = 3, kClients = 2 };

MPROC_TASK(producer) {
  mproc_queue_t *q = NULL;
  int64_t id = 0;
  if (mproc_args_get_queue(args, 0, &q) != 0 || mproc_args_get_i64(args, 1, &id) != 0) return 2;
  for (int i = 0; i < kItems; ++i) {
    char item[64];
    int len = snprintf(item, sizeof item, "item %d from producer %lld", i, (long long)id);
    if (mproc_queue_put(q, item, (size_t)len, 10000) != 0) return 3;
  }
  return 0;
}

MPROC_TASK(client) {
  const char *address = NULL;
  int64_t id = 0;
  if (mproc_args_get_str(args, 0, &address) != 0 || mproc_args_get_i64(args, 1, &id) != 0)
    return 2;
  mproc_conn_t *c = NULL;
  if (mproc_conn_connect(&c, address, NULL, 30000) != 0) return 3;
  char msg[64], reply[128];
  int len = snprintf(msg, sizeof msg, "client %lld", (long long)id);
  size_t got = 0;
  if (mproc_conn_send(c, msg, (size_t)len, 30000) != 0 ||
      mproc_conn_recv_into(c, reply, sizeof reply - 1, &got, 30000) != 0)
    return 4;
  reply[got] = '\0';
  printf("client %lld got: %s\n", (long long)id, reply);
  mproc_conn_free(c);
  return 0;
}

struct server {
  mproc_listener_t *listener;
  mproc_queue_t *queue;
  uv_poll_t listener_poll, queue_poll;
  int clients, items;
};

static void stop_when_done(struct server *s) {
  if (s->clients < kClients || s->items < kProducers * kItems) return;
  uv_close((uv_handle_t *)&s->listener_poll, NULL);
  uv_close((uv_handle_t *)&s->queue_poll, NULL);
}

static void on_listener(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  struct server *s = h->data;
  mproc_conn_t *c = NULL;
  while (mproc_listener_accept(s->listener, &c, 0) == 0) {
    char msg[64], reply[128];
    size_t got = 0;
    /* A short exchange; a longer one would get a uv_poll of its own
     * (mproc_conn_fileno). */
    if (mproc_conn_recv_into(c, msg, sizeof msg - 1, &got, 30000) == 0) {
      msg[got] = '\0';
      int len = snprintf(reply, sizeof reply, "welcome, %s", msg);
      mproc_conn_send(c, reply, (size_t)len, 30000);
      printf("loop: answered %s\n", msg);
      ++s->clients;
    }
    mproc_conn_free(c);
  }
  stop_when_done(s);
}

static void on_queue(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  struct server *s = h->data;
  char item[128];
  size_t len = 0;
  while (mproc_queue_get_into(s->queue, item, sizeof item - 1, &len, 0) == 0) {
    item[len] = '\0';
    printf("loop: got %s\n", item);
    ++s->items;
  }
  stop_when_done(s);
}

static mproc_process_t *start(const char *task, mproc_args_t *args) {
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, task, args, NULL) != 0 || mproc_process_start(p) != 0) {
    fprintf(stderr, "%s: %s\n", task, mproc_last_error());
    return NULL;
  }
  return p;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (mproc_main(argc, argv) != 0) return 1;
  struct server s = {0};
  int lfd = -1, qfd = -1;
  const char *address = NULL;
  if (mproc_listener_new(&s.listener, NULL, NULL) != 0 || mproc_queue_new(&s.queue, NULL) != 0 ||
      mproc_listener_fileno(s.listener, &lfd) != 0 || mproc_queue_fileno(s.queue, &qfd) != 0 ||
      mproc_listener_address(s.listener, &address) != 0) {
    fprintf(stderr, "setup: %s\n", mproc_last_error());
    return 1;
  }
  uv_loop_t *loop = uv_default_loop();
  uv_poll_init(loop, &s.listener_poll, lfd);
  uv_poll_init(loop, &s.queue_poll, qfd);
  s.listener_poll.data = s.queue_poll.data = &s;
  uv_poll_start(&s.listener_poll, UV_READABLE, on_listener);
  uv_poll_start(&s.queue_poll, UV_READABLE, on_queue);

  mproc_process_t *children[kProducers + kClients];
  int n = 0;
  for (int i = 0; i < kProducers; ++i) {
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_queue(args, s.queue);
    mproc_args_add_i64(args, i);
    children[n++] = start("producer", args);
  }
  for (int i = 0; i < kClients; ++i) {
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_str(args, address);
    mproc_args_add_i64(args, i);
    children[n++] = start("client", args);
  }
  uv_run(loop, UV_RUN_DEFAULT); /* returns once both polls are closed */
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    int code = -1;
    if (children[i] == NULL || mproc_process_join(children[i], MPROC_FOREVER) != 0 ||
        mproc_process_exitcode(children[i], &code) != 0 || code != 0)
      failed = 1;
    mproc_process_free(children[i]);
  }
  uv_loop_close(loop);
  mproc_queue_free(s.queue);
  mproc_listener_free(s.listener);
  if (failed) return 1;
  printf("loop: %d clients and %d items, one loop\n", s.clients, s.items);
  return 0;
}
