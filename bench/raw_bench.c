/* Raw operating-system baselines for the benchmarks: what the same work
 * costs with nothing but libc and the kernel. `raw-bench <workload>` prints
 * one number, in the unit of the workload it is compared against. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#include "bench_util.h"

typedef int (*raw_fn)(int argc, char **argv);

/* condvar_roundtrip: one thread hands a job to another through a mutex and
 * condition variable and waits for the answer: what a reactor hop is made
 * of, without libuv. Microseconds per round trip. */
static pthread_mutex_t rt_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rt_cv = PTHREAD_COND_INITIALIZER;
static long rt_posted, rt_done;
static int rt_stop;

static void *rt_server(void *arg) {
  (void)arg;
  pthread_mutex_lock(&rt_mu);
  for (;;) {
    while (rt_posted == rt_done && !rt_stop) pthread_cond_wait(&rt_cv, &rt_mu);
    if (rt_stop) break;
    rt_done = rt_posted;
    pthread_cond_broadcast(&rt_cv);
  }
  pthread_mutex_unlock(&rt_mu);
  return NULL;
}

static int condvar_roundtrip(int argc, char **argv) {
  (void)argc;
  (void)argv;
  enum { kWarmup = 2000, kCalls = 20000 };
  pthread_t server;
  pthread_create(&server, NULL, rt_server, NULL);
  double t0 = 0;
  for (int i = 0; i < kWarmup + kCalls; ++i) {
    if (i == kWarmup) t0 = bench_now_s();
    pthread_mutex_lock(&rt_mu);
    long want = ++rt_posted;
    pthread_cond_broadcast(&rt_cv);
    while (rt_done != want) pthread_cond_wait(&rt_cv, &rt_mu);
    pthread_mutex_unlock(&rt_mu);
  }
  double elapsed = bench_now_s() - t0;
  pthread_mutex_lock(&rt_mu);
  rt_stop = 1;
  pthread_cond_broadcast(&rt_cv);
  pthread_mutex_unlock(&rt_mu);
  pthread_join(server, NULL);
  printf("%.6g\n", elapsed / kCalls * 1e6);
  return 0;
}

/* posix_spawn_start <program>: milliseconds per posix_spawn + waitpid of
 * a minimal program: the floor for starting a fresh executable. */
static int posix_spawn_start(int argc, char **argv) {
  if (argc < 1) return 2;
  char *child_argv[] = {argv[0], NULL};
  enum { kWarm = 5, kRounds = 100 };
  double t0 = 0;
  for (int i = 0; i < kWarm + kRounds; ++i) {
    if (i == kWarm) t0 = bench_now_s();
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, child_argv, environ) != 0) return 1;
    int status;
    waitpid(pid, &status, 0);
  }
  printf("%.6g\n", (bench_now_s() - t0) / kRounds * 1e3);
  return 0;
}

/* fork_exit: milliseconds per fork + _exit + waitpid: the floor for the
 * fork start method. */
static int fork_exit(int argc, char **argv) {
  (void)argc;
  (void)argv;
  enum { kWarm = 20, kRounds = 500 };
  double t0 = 0;
  for (int i = 0; i < kWarm + kRounds; ++i) {
    if (i == kWarm) t0 = bench_now_s();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status;
    waitpid(pid, &status, 0);
  }
  printf("%.6g\n", (bench_now_s() - t0) / kRounds * 1e3);
  return 0;
}

/* program_rss <program>: resident MiB of the minimal program once up. */
static int program_rss(int argc, char **argv) {
  if (argc < 1) return 2;
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return 1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  char *child_argv[] = {argv[0], "wait", NULL};
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &fa, NULL, child_argv, environ) != 0) return 1;
  close(in[0]);
  close(out[1]);
  char up[8];
  if (read(out[0], up, sizeof up) <= 0) return 1;
  double mib = bench_rss_mib(pid);
  if (write(in[1], "x\n", 2) != 2) return 1;
  int status;
  waitpid(pid, &status, 0);
  printf("%.6g\n", mib);
  return 0;
}

/* socketpair_pingpong: microseconds per 64-byte round trip between two
 * processes over a socket pair, one write and one read per message. */
static int socketpair_pingpong(int argc, char **argv) {
  (void)argc;
  (void)argv;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  enum { kWarm = 2000, kRounds = 50000 };
  char msg[64] = {0};
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    for (int i = 0; i < kWarm + kRounds; ++i) {
      if (recv(sv[1], msg, sizeof msg, MSG_WAITALL) != sizeof msg) _exit(1);
      if (send(sv[1], msg, sizeof msg, 0) != sizeof msg) _exit(1);
    }
    _exit(0);
  }
  close(sv[1]);
  double t0 = 0;
  for (int i = 0; i < kWarm + kRounds; ++i) {
    if (i == kWarm) t0 = bench_now_s();
    if (send(sv[0], msg, sizeof msg, 0) != sizeof msg) return 1;
    if (recv(sv[0], msg, sizeof msg, MSG_WAITALL) != sizeof msg) return 1;
  }
  double elapsed = bench_now_s() - t0;
  int status;
  waitpid(pid, &status, 0);
  printf("%.6g\n", elapsed / kRounds * 1e6);
  return 0;
}

/* One message written whole to a pipe the way a library must when it may
 * not change the host program's handling of SIGPIPE (raised by a write to
 * a pipe whose reader is gone): the signal blocked around the write, one
 * it raised taken back, the mask restored. Returns the bytes written. */
static ssize_t write_keeping_sigpipe_alone(int fd, const void *data, size_t len) {
  sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  sigpending(&pending);
  int was_pending = sigismember(&pending, SIGPIPE);
  ssize_t n = write(fd, data, len);
  if (n < 0 && errno == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    sigtimedwait(&pipe_only, NULL, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  return n;
}

/* Shared by pipe_throughput and socketpair_throughput: a child writes
 * `count` messages of `size` bytes, one write each (through
 * write_keeping_sigpipe_alone when `sigpipe_safe`); the parent reads in
 * large chunks. Prints M msgs/s (size <= 4096) or GB/s. */
static int stream_throughput(int fds[2], long size, int sigpipe_safe) {
  long count = size <= 4096 ? 2000000 : 2000;
  char *buf = malloc((size_t)size > 65536 ? (size_t)size : 65536);
  memset(buf, 'x', (size_t)size);
  double t0 = bench_now_s();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    for (long i = 0; i < count; ++i) {
      long done = 0;
      while (done < size) {
        ssize_t n = sigpipe_safe
                        ? write_keeping_sigpipe_alone(fds[1], buf + done, (size_t)(size - done))
                        : write(fds[1], buf + done, (size_t)(size - done));
        if (n <= 0) _exit(1);
        done += n;
      }
    }
    _exit(0);
  }
  close(fds[1]);
  long long total = 0, want = (long long)count * size;
  size_t cap = (size_t)size > 65536 ? (size_t)size : 65536;
  while (total < want) {
    ssize_t n = read(fds[0], buf, cap);
    if (n <= 0) return 1;
    total += n;
  }
  double elapsed = bench_now_s() - t0;
  int status;
  waitpid(pid, &status, 0);
  free(buf);
  printf("%.6g\n", size <= 4096 ? count / elapsed / 1e6 : (double)want / elapsed / 1e9);
  return 0;
}

static int pipe_throughput(int argc, char **argv) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  return stream_throughput(fds, argc > 0 ? atol(argv[0]) : 64, 0);
}

/* pipe_throughput_sigpipe_safe: the same, each write leaving the host's
 * SIGPIPE handling as it was (what a pipe-backed connection would pay). */
static int pipe_throughput_sigpipe_safe(int argc, char **argv) {
  int fds[2];
  if (pipe(fds) != 0) return 1;
  return stream_throughput(fds, argc > 0 ? atol(argv[0]) : 64, 1);
}

static int socketpair_throughput(int argc, char **argv) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
  int fds[2] = {sv[0], sv[1]};
  return stream_throughput(fds, argc > 0 ? atol(argv[0]) : 64, 0);
}

/* A TCP socket listening on 127.0.0.1 with a port the system picks, whose
 * address goes to *sa; -1 on failure. */
static int tcp_listener(struct sockaddr_in *sa, int backlog) {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof *sa;
  if (server < 0 || bind(server, (struct sockaddr *)sa, sizeof *sa) != 0 ||
      listen(server, backlog) != 0 || getsockname(server, (struct sockaddr *)sa, &len) != 0)
    return -1;
  return server;
}

/* A connected TCP pair on 127.0.0.1 with Nagle off (as mproc's): *a
 * accepted, *b connected. */
static int tcp_pair(int *a, int *b) {
  struct sockaddr_in sa;
  int server = tcp_listener(&sa, 1);
  if (server < 0) return -1;
  *b = socket(AF_INET, SOCK_STREAM, 0);
  if (*b < 0 || connect(*b, (struct sockaddr *)&sa, sizeof sa) != 0) return -1;
  *a = accept(server, NULL, NULL);
  close(server);
  int one = 1;
  setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return *a < 0 ? -1 : 0;
}

/* tcp_pingpong: microseconds per 64-byte round trip between two processes
 * over TCP loopback, one write and one read per message. */
static int tcp_pingpong(int argc, char **argv) {
  (void)argc;
  (void)argv;
  int a, b;
  if (tcp_pair(&a, &b) != 0) return 1;
  enum { kWarm = 2000, kRounds = 50000 };
  char msg[64] = {0};
  pid_t pid = fork();
  if (pid == 0) {
    close(a);
    for (int i = 0; i < kWarm + kRounds; ++i) {
      if (recv(b, msg, sizeof msg, MSG_WAITALL) != sizeof msg) _exit(1);
      if (send(b, msg, sizeof msg, 0) != sizeof msg) _exit(1);
    }
    _exit(0);
  }
  close(b);
  double t0 = 0;
  for (int i = 0; i < kWarm + kRounds; ++i) {
    if (i == kWarm) t0 = bench_now_s();
    if (send(a, msg, sizeof msg, 0) != sizeof msg) return 1;
    if (recv(a, msg, sizeof msg, MSG_WAITALL) != sizeof msg) return 1;
  }
  double elapsed = bench_now_s() - t0;
  int status;
  waitpid(pid, &status, 0);
  printf("%.6g\n", elapsed / kRounds * 1e6);
  return 0;
}

/* tcp_throughput: one-way messages over TCP loopback, one write each. */
static int tcp_throughput(int argc, char **argv) {
  int a, b;
  if (tcp_pair(&a, &b) != 0) return 1;
  int fds[2] = {a, b};
  return stream_throughput(fds, argc > 0 ? atol(argv[0]) : 64, 0);
}

/* tcp_accepts: TCP connections per second accepted on loopback, without
 * any handshake: connect, accept, close. */
static int tcp_accepts(int argc, char **argv) {
  (void)argc;
  (void)argv;
  enum { kCount = 3000 };
  struct sockaddr_in sa;
  int server = tcp_listener(&sa, 128);
  if (server < 0) return 1;
  double t0 = bench_now_s();
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < kCount; ++i) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof sa) != 0) _exit(1);
      char byte;
      if (recv(c, &byte, 1, 0) != 0) _exit(1); /* until the server closes */
      close(c);
    }
    _exit(0);
  }
  for (int i = 0; i < kCount; ++i) {
    int c = accept(server, NULL, NULL);
    if (c < 0) return 1;
    close(c);
  }
  double elapsed = bench_now_s() - t0;
  int status;
  waitpid(pid, &status, 0);
  printf("%.6g\n", kCount / elapsed);
  return 0;
}

enum { kPairs = 20000000 };

static void *shared_page(void) {
  return mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

/* sem_pairs: M uncontended sem_wait+sem_post pairs/s on a process-shared
 * sem_t in shared memory. */
static int sem_t_pairs(int argc, char **argv) {
  (void)argc;
  (void)argv;
  sem_t *sem = shared_page();
  sem_init(sem, 1, 1);
  for (long i = 0; i < 100000; ++i) {
    sem_wait(sem);
    sem_post(sem);
  }
  double t0 = bench_now_s();
  for (long i = 0; i < kPairs; ++i) {
    sem_wait(sem);
    sem_post(sem);
  }
  printf("%.6g\n", kPairs / (bench_now_s() - t0) / 1e6);
  return 0;
}

/* robust_mutex_pairs: M uncontended lock+unlock pairs/s on a robust,
 * process-shared pthread mutex in shared memory. */
static int robust_mutex_pairs(int argc, char **argv) {
  (void)argc;
  (void)argv;
  pthread_mutex_t *mu = shared_page();
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(mu, &attr);
  for (long i = 0; i < 100000; ++i) {
    pthread_mutex_lock(mu);
    pthread_mutex_unlock(mu);
  }
  double t0 = bench_now_s();
  for (long i = 0; i < kPairs; ++i) {
    pthread_mutex_lock(mu);
    pthread_mutex_unlock(mu);
  }
  printf("%.6g\n", kPairs / (bench_now_s() - t0) / 1e6);
  return 0;
}

/* futex_pingpong: microseconds per round trip of two processes handing a
 * turn back and forth through one shared futex word, always sleeping:
 * what waking a sleeper costs. */
static void futex_wait_while(atomic_uint *word, unsigned value) {
  while (atomic_load(word) == value)
    syscall(SYS_futex, word, FUTEX_WAIT, value, NULL, NULL, 0);
}

static int futex_pingpong(int argc, char **argv) {
  (void)argc;
  (void)argv;
  enum { kWarm = 2000, kRounds = 100000 };
  atomic_uint *turn = shared_page();
  atomic_store(turn, 0);
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < kWarm + kRounds; ++i) {
      futex_wait_while(turn, 0);
      atomic_store(turn, 0);
      syscall(SYS_futex, turn, FUTEX_WAKE, 1, NULL, NULL, 0);
    }
    _exit(0);
  }
  double t0 = 0;
  for (int i = 0; i < kWarm + kRounds; ++i) {
    if (i == kWarm) t0 = bench_now_s();
    atomic_store(turn, 1);
    syscall(SYS_futex, turn, FUTEX_WAKE, 1, NULL, NULL, 0);
    futex_wait_while(turn, 1);
  }
  double elapsed = bench_now_s() - t0;
  int status;
  waitpid(pid, &status, 0);
  printf("%.6g\n", elapsed / kRounds * 1e6);
  return 0;
}

/* idle_futex_cpu: CPU milliseconds of a futex wait that times out after
 * one second: the floor for an idle waiter. */
static int idle_futex_cpu(int argc, char **argv) {
  (void)argc;
  (void)argv;
  atomic_uint word = 0;
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  struct timespec one_second = {1, 0};
  syscall(SYS_futex, &word, FUTEX_WAIT, 0, &one_second, NULL, 0);
  getrusage(RUSAGE_SELF, &after);
  double cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1e3 +
               (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e3 +
               (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1e3 +
               (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e3;
  printf("%.6g\n", cpu);
  return 0;
}

/* memcpy_bandwidth: GB/s copying 1 MiB blocks out of a 256 MiB buffer (so
 * from DRAM, not cache) into one destination block. */
static int memcpy_bandwidth(int argc, char **argv) {
  (void)argc;
  (void)argv;
  size_t block = 1 << 20, total = (size_t)256 << 20;
  char *src = malloc(total), *dst = malloc(block);
  memset(src, 1, total);
  memset(dst, 0, block);
  int rounds = 2048;
  double t0 = bench_now_s();
  for (int i = 0; i < rounds; ++i) {
    memcpy(dst, src + (size_t)(i % (int)(total / block)) * block, block);
    __asm__ volatile("" : : "r"(dst) : "memory");
  }
  double elapsed = bench_now_s() - t0;
  free(src);
  free(dst);
  printf("%.6g\n", (double)rounds * (double)block / elapsed / 1e9);
  return 0;
}

static const struct {
  const char *name;
  raw_fn run;
} raw_workloads[] = {
    {"memcpy_bandwidth", memcpy_bandwidth},
    {"sem_t_pairs", sem_t_pairs},
    {"robust_mutex_pairs", robust_mutex_pairs},
    {"futex_pingpong", futex_pingpong},
    {"idle_futex_cpu", idle_futex_cpu},
    {"condvar_roundtrip", condvar_roundtrip},
    {"posix_spawn_start", posix_spawn_start},
    {"fork_exit", fork_exit},
    {"program_rss", program_rss},
    {"socketpair_pingpong", socketpair_pingpong},
    {"pipe_throughput", pipe_throughput},
    {"pipe_throughput_sigpipe_safe", pipe_throughput_sigpipe_safe},
    {"socketpair_throughput", socketpair_throughput},
    {"tcp_pingpong", tcp_pingpong},
    {"tcp_throughput", tcp_throughput},
    {"tcp_accepts", tcp_accepts},
};

int main(int argc, char **argv) {
  size_t n = sizeof raw_workloads / sizeof raw_workloads[0];
  if (argc >= 2) {
    for (size_t i = 0; i < n; ++i)
      if (strcmp(raw_workloads[i].name, argv[1]) == 0)
        return raw_workloads[i].run(argc - 2, argv + 2);
  }
  fprintf(stderr, "usage: raw-bench <workload>; workloads:\n");
  for (size_t i = 0; i < n; ++i) fprintf(stderr, "  %s\n", raw_workloads[i].name);
  return 2;
}
