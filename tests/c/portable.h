/* What the cmocka suites need from the OS, named for the need, with a POSIX
 * and a Windows (_WIN32, mingw-w64) branch. Descriptors here are what the
 * C ABI's `int fd` means on each system: POSIX descriptors, CRT file
 * descriptors on Windows. Included by harness.h. */
#ifndef MPROC_TEST_PORTABLE_H
#define MPROC_TEST_PORTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
/* windows.h first: tlhelp32.h needs its types. */
#include <tlhelp32.h>
/* windows.h defines these 16-bit leftovers as empty macros; the tests use
 * them as names. */
#undef near
#undef far

#include <fcntl.h>
#include <io.h>
#include <signal.h>
/* mingw's signal.h has SIGTERM (15) but not SIGKILL: the library reports a
 * kill as -9 on Windows too, so the tests' -SIGKILL keeps its meaning. */
#ifndef SIGKILL
#define SIGKILL 9
#endif
#else
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

/* Milliseconds on a clock that never goes back. */
static inline int64_t test_now_ms(void) {
#ifdef _WIN32
  return (int64_t)GetTickCount64();
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

/* Lets real time pass, for tests that measure time, never to wait for an
 * event. */
static inline void test_sleep_ms(int ms) {
#ifdef _WIN32
  Sleep((DWORD)ms);
#else
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
#endif
}

/* Blocks the calling process until something ends it from outside. */
_Noreturn static inline void test_block_forever(void) {
#ifdef _WIN32
  for (;;) Sleep(INFINITE);
#else
  for (;;) pause();
#endif
}

/* Waits up to timeout_ms for process `pid` (not necessarily our child) to
 * disappear. Returns 1 if it did. */
static inline int test_wait_gone(int64_t pid, int timeout_ms) {
#ifdef _WIN32
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
  if (h == NULL) return GetLastError() == ERROR_INVALID_PARAMETER; /* no such process */
  DWORD rc = WaitForSingleObject(h, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
  CloseHandle(h);
  return rc == WAIT_OBJECT_0;
#else
  int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (fd < 0) return errno == ESRCH;
  struct pollfd p = {fd, POLLIN, 0};
  int rc = poll(&p, 1, timeout_ms);
  close(fd);
  return rc > 0;
#endif
}

/* The calling thread's id as the OS names it (gettid; GetCurrentThreadId). */
static inline int test_thread_id(void) {
#ifdef _WIN32
  return (int)GetCurrentThreadId();
#else
  return (int)syscall(SYS_gettid);
#endif
}

#ifdef _WIN32
/* The exit code mproc gives TerminateProcess for a kill, and reads back as
 * -SIGKILL (0x10000 + signal; src/platform/win/win_process.hpp). */
#define TEST_WIN_KILLED_EXIT_CODE (0x10000u + 9u)
#endif

/* Ends process `pid` at once, as mproc's kill does (SIGKILL;
 * TerminateProcess on Windows). Returns 0 on success. */
static inline int test_kill_process(int64_t pid) {
#ifdef _WIN32
  HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, (DWORD)pid);
  if (h == NULL) return -1;
  int rc = TerminateProcess(h, TEST_WIN_KILLED_EXIT_CODE) ? 0 : -1;
  CloseHandle(h);
  return rc;
#else
  return kill((pid_t)pid, SIGKILL);
#endif
}

/* Ends the calling process at once, as a kill from outside would. */
static inline void test_kill_self(void) {
#ifdef _WIN32
  TerminateProcess(GetCurrentProcess(), TEST_WIN_KILLED_EXIT_CODE);
#else
  raise(SIGKILL);
#endif
}

/* Whether sentinel `fd` (readable on POSIX; on Windows a HANDLE value in
 * an int, as mproc.h documents, signalled once its process ended) is ready
 * within timeout_ms. Returns 1 if ready, 0 if not, -1 on error. */
static inline int test_fd_ready(int fd, int timeout_ms) {
#ifdef _WIN32
  if (fd < 0) return -1;
  DWORD rc = WaitForSingleObject((HANDLE)(intptr_t)fd,
                                 timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
  return rc == WAIT_OBJECT_0 ? 1 : rc == WAIT_TIMEOUT ? 0 : -1;
#else
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, timeout_ms);
#endif
}

/* Writes all of `data` straight to a connection's descriptor (from
 * mproc_conn_fileno), around the library: a raw byte stream on POSIX; on
 * Windows an overlapped pipe HANDLE value, written with an OVERLAPPED
 * and waited for. Returns 0, or -1 on error. */
static inline int test_write_conn_fd(int fd, const void *data, size_t len) {
  const char *p = (const char *)data;
#ifdef _WIN32
  HANDLE h = (HANDLE)(intptr_t)fd;
  HANDLE done = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (done == NULL) return -1;
  int rc = 0;
  while (len > 0 && rc == 0) {
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = done;
    DWORD chunk = len > (1u << 20) ? (1u << 20) : (DWORD)len, n = 0;
    if (!WriteFile(h, p, chunk, NULL, &ov) && GetLastError() != ERROR_IO_PENDING) rc = -1;
    else if (!GetOverlappedResult(h, &ov, &n, TRUE) || n == 0) rc = -1;
    p += n;
    len -= n;
  }
  CloseHandle(done);
  return rc;
#else
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
#endif
}

/* Whether `fd` is an open descriptor of this process. */
static inline int test_fd_is_open(int fd) {
#ifdef _WIN32
  return _get_osfhandle(fd) != -1;
#else
  return fcntl(fd, F_GETFD) >= 0;
#endif
}

/* A new anonymous pipe: fds[0] reads, fds[1] writes. Both ends are
 * inheritable, as pipe(2)'s are, so that a leak to a child would show.
 * Returns 0 on success. */
static inline int test_pipe(int fds[2]) {
#ifdef _WIN32
  return _pipe(fds, 65536, _O_BINARY);
#else
  return pipe(fds);
#endif
}

/* The null device, opened read-only and inheritable ("NUL" on Windows). */
static inline int test_open_null(void) {
#ifdef _WIN32
  return _open("NUL", _O_RDONLY | _O_BINARY);
#else
  return open("/dev/null", O_RDONLY);
#endif
}

/* Creates a new empty file with a unique name in the temporary folder
 * (/tmp on POSIX; GetTempPath on Windows) and writes its path to `path`.
 * `stem` is a short prefix such as "mproc-test". Returns 0 on success; the
 * caller removes the file with remove(). */
static inline int test_temp_file(char *path, size_t size, const char *stem) {
#ifdef _WIN32
  char dir[MAX_PATH + 1];
  DWORD n = GetTempPathA(sizeof dir, dir);
  if (n == 0 || n > sizeof dir || size < MAX_PATH) return -1;
  return GetTempFileNameA(dir, stem, 0, path) != 0 ? 0 : -1;
#else
  int len = snprintf(path, size, "/tmp/%s-XXXXXX", stem);
  if (len < 0 || (size_t)len >= size) return -1;
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  close(fd);
  return 0;
#endif
}

/* Sets variable `name` in this process's environment, replacing it. */
static inline int test_setenv(const char *name, const char *value) {
#ifdef _WIN32
  return _putenv_s(name, value) == 0 ? 0 : -1;
#else
  return setenv(name, value, 1);
#endif
}

/* This process's id and its parent's, and the processors online, as the OS
 * reports them (to check mproc's own answers against). */
static inline int64_t test_os_pid(void) {
#ifdef _WIN32
  return (int64_t)GetCurrentProcessId();
#else
  return (int64_t)getpid();
#endif
}

static inline int64_t test_os_ppid(void) {
#ifdef _WIN32
  /* Windows keeps the creator's id in the process list, not in the process. */
  int64_t ppid = -1;
  DWORD self = GetCurrentProcessId();
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) return -1;
  PROCESSENTRY32 e;
  e.dwSize = sizeof e;
  for (BOOL more = Process32First(snap, &e); more; more = Process32Next(snap, &e))
    if (e.th32ProcessID == self) ppid = (int64_t)e.th32ParentProcessID;
  CloseHandle(snap);
  return ppid;
#else
  return (int64_t)getppid();
#endif
}

static inline long test_os_cpus_online(void) {
#ifdef _WIN32
  return (long)GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
#else
  return sysconf(_SC_NPROCESSORS_ONLN);
#endif
}

/* Writes the path of the running program to `path`. Returns 0 on success. */
static inline int test_self_path(char *path, size_t size) {
#ifdef _WIN32
  DWORD n = GetModuleFileNameA(NULL, path, (DWORD)size);
  return n > 0 && n < size ? 0 : -1;
#else
  ssize_t n = readlink("/proc/self/exe", path, size - 1);
  if (n <= 0) return -1;
  path[n] = '\0';
  return 0;
#endif
}

#endif
