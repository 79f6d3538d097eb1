/* Raw sockets for the tests of listeners: hostile peers that speak no
 * protocol, and counting the process's descriptors. POSIX sockets, or
 * Winsock on Windows (_WIN32). */
#ifndef MPROC_TEST_NET_PORTABLE_H
#define MPROC_TEST_NET_PORTABLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
typedef HANDLE test_thread_t;
typedef SOCKET test_sock_t;
#define TEST_SOCK_NONE INVALID_SOCKET
static inline void test_sock_close(test_sock_t s) { closesocket(s); }
#else
#include <arpa/inet.h>
#include <dirent.h>
#include <pthread.h>
typedef pthread_t test_thread_t;
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
typedef int test_sock_t;
#define TEST_SOCK_NONE (-1)
static inline void test_sock_close(test_sock_t s) { close(s); }
#endif

/* Runs fn(arg) on a new thread; test_thread_join waits for it. */
#ifdef _WIN32
static inline test_thread_t test_thread_start(DWORD(WINAPI *fn)(void *), void *arg) {
  return CreateThread(NULL, 0, fn, arg, 0, NULL);
}
static inline void test_thread_join(test_thread_t t) {
  WaitForSingleObject(t, INFINITE);
  CloseHandle(t);
}
#define TEST_THREAD_FN(name) DWORD WINAPI name(void *arg)
#define TEST_THREAD_RETURN return 0
#else
static inline test_thread_t test_thread_start(void *(*fn)(void *), void *arg) {
  pthread_t t;
  pthread_create(&t, NULL, fn, arg);
  return t;
}
static inline void test_thread_join(test_thread_t t) { pthread_join(t, NULL); }
#define TEST_THREAD_FN(name) void *name(void *arg)
#define TEST_THREAD_RETURN return NULL
#endif

/* A TCP connection to 127.0.0.1:port, or TEST_SOCK_NONE. */
static inline test_sock_t test_tcp_connect(int port) {
#ifdef _WIN32
  static int started = 0;
  if (!started) {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
    started = 1;
  }
#endif
  test_sock_t s = socket(AF_INET, SOCK_STREAM, 0);
  if (s == TEST_SOCK_NONE) return s;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
    test_sock_close(s);
    return TEST_SOCK_NONE;
  }
  return s;
}

/* Sends all of data; 0 on success. */
static inline int test_sock_send(test_sock_t s, const void *data, size_t len) {
  const char *p = (const char *)data;
  while (len > 0) {
    int n = (int)send(s, p, (int)len, 0);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Reads until the peer closes (or `cap` bytes); returns the count read. */
static inline size_t test_sock_read_to_end(test_sock_t s, void *buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    int n = (int)recv(s, (char *)buf + got, (int)(cap - got), 0);
    if (n <= 0) break;
    got += (size_t)n;
  }
  return got;
}

/* Reads exactly len bytes; 0 on success. */
static inline int test_sock_read_exact(test_sock_t s, void *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    int n = (int)recv(s, (char *)buf + got, (int)(len - got), 0);
    if (n <= 0) return -1;
    got += (size_t)n;
  }
  return 0;
}

/* The port of a "tcp:host:port" address. */
static inline int test_port_of(const char *address) {
  const char *colon = strrchr(address, ':');
  return colon != NULL ? atoi(colon + 1) : -1;
}

/* How many descriptors this process has open, or -1 where unknown. */
static inline int test_open_fds(void) {
#ifdef __linux__
  DIR *d = opendir("/proc/self/fd");
  if (d == NULL) return -1;
  int n = 0;
  while (readdir(d) != NULL) ++n;
  closedir(d);
  return n - 3; /* ".", ".." and the directory's own */
#else
  return -1;
#endif
}

/* This process's resident memory in KiB, or -1 where unknown. */
static inline long test_rss_kib(void) {
#ifdef __linux__
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL) return -1;
  long pages_total = 0, pages_resident = 0;
  int got = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
  fclose(f);
  return got == 2 ? pages_resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
#else
  return -1;
#endif
}

#endif
