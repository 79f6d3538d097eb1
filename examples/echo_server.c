/* A TCP echo server that hands each accepted connection to a child process
 * (the socket travels to the child as an argument), and three clients,
 * each a process of its own, talking to it. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <stdio.h>
#include <string.h>

/* Sockets differ on Windows (Winsock): a SOCKET handle, closesocket, and
 * WSAStartup in every process. The C ABI passes CRT descriptors there, so
 * an accepted socket travels to its child wrapped in one. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>

#include <io.h>
typedef SOCKET socket_t;
typedef int ssize_t_;
#define SOCK_CLOEXEC 0  /* mproc hands a child only what it is given */
#define MSG_NOSIGNAL 0  /* no SIGPIPE on Windows */
static int net_start(void) {
  WSADATA data;
  return WSAStartup(MAKEWORD(2, 2), &data);
}
static void close_socket(socket_t s) { closesocket(s); }
static socket_t accept_socket(socket_t server) { return accept(server, NULL, NULL); }
static int socket_to_fd(socket_t s) { return _open_osfhandle((intptr_t)s, 0); }
static socket_t fd_to_socket(int fd) { return (socket_t)_get_osfhandle(fd); }
static void close_fd(int fd) { _close(fd); }
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int socket_t;
typedef ssize_t ssize_t_;
static int net_start(void) { return 0; }
static void close_socket(socket_t s) { close(s); }
static socket_t accept_socket(socket_t server) {
  return accept4(server, NULL, NULL, SOCK_CLOEXEC);
}
static int socket_to_fd(socket_t s) { return s; }
static socket_t fd_to_socket(int fd) { return fd; }
static void close_fd(int fd) { close(fd); }
#endif

enum { kClients = 3, kMessages = 3 };

/* Serves one connection: sends back each message in capitals. */
MPROC_TASK(talk) {
  int fd = -1;
  if (net_start() != 0 || mproc_args_get_fd(args, 0, &fd) != 0) return 2;
  socket_t conn = fd_to_socket(fd);
  char buf[1024];
  ssize_t_ n;
  while ((n = recv(conn, buf, sizeof buf, 0)) > 0) {
    for (ssize_t_ i = 0; i < n; ++i)
      if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 32);
    if (send(conn, buf, (size_t)n, MSG_NOSIGNAL) != n) return 3;
  }
  return 0;
}

MPROC_TASK(client) {
  int64_t port = 0, id = 0;
  if (net_start() != 0 || mproc_args_get_i64(args, 0, &port) != 0 ||
      mproc_args_get_i64(args, 1, &id) != 0)
    return 2;
  socket_t s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) return 3;
  for (int i = 0; i < kMessages; ++i) {
    char msg[64], reply[64];
    int len = snprintf(msg, sizeof msg, "hello %d from client %lld", i, (long long)id);
    if (send(s, msg, (size_t)len, MSG_NOSIGNAL) != len) return 4;
    int got = 0;
    while (got < len) {
      ssize_t_ n = recv(s, reply + got, (size_t)(len - got), 0);
      if (n <= 0) return 5;
      got += (int)n;
    }
    reply[got] = '\0';
    printf("client %lld got: %s\n", (long long)id, reply);
  }
  close_socket(s);
  return 0;
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
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0 || net_start() != 0) return 1;
  socket_t server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  setsockopt(server, SOL_SOCKET, SO_REUSEADDR, (const void *)&on, sizeof on);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof addr;
  if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(server, 8) != 0 ||
      getsockname(server, (struct sockaddr *)&addr, &alen) != 0)
    return 1;
  int port = ntohs(addr.sin_port);
  printf("serving on 127.0.0.1:%d\n", port);

  mproc_process_t *clients[kClients], *talkers[kClients];
  for (int i = 0; i < kClients; ++i) {
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_i64(args, port);
    mproc_args_add_i64(args, i);
    clients[i] = start("client", args);
  }
  for (int i = 0; i < kClients; ++i) {
    socket_t conn = accept_socket(server);
    int fd = socket_to_fd(conn);
    if (fd < 0) return 1;
    mproc_args_t *args;
    mproc_args_new(&args);
    mproc_args_add_fd(args, fd); /* the list holds its own copy */
    close_fd(fd);
    talkers[i] = start("talk", args);
  }
  int failed = 0;
  for (int i = 0; i < kClients; ++i) {
    mproc_process_t *both[2] = {clients[i], talkers[i]};
    for (int k = 0; k < 2; ++k) {
      int code = -1;
      if (mproc_process_join(both[k], MPROC_FOREVER) != 0 ||
          mproc_process_exitcode(both[k], &code) != 0 || code != 0) {
        fprintf(stderr, "%s %d failed: exit code %d\n", k == 0 ? "client" : "talker", i, code);
        failed = 1;
      }
      mproc_process_free(both[k]);
    }
  }
  close_socket(server);
  if (failed) return 1;
  printf("server: served %d clients\n", kClients);
  return 0;
}
