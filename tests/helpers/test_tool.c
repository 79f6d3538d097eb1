/* The small commands the tests run where there is no sh, cat or sleep
 * (Windows). Its arguments are actions done in order:
 *   out TEXT / err TEXT     TEXT and a newline to stdout / stderr
 *   fill-out N C / fill-err N C   N bytes of character C
 *   cat                     stdin to stdout until EOF
 *   env SEP NAME...         the variables' values (empty if unset) joined by SEP
 *   cwd                     the working directory
 *   fd-write FD TEXT        TEXT and a newline to descriptor FD
 *   sleep MS                sleeps MS milliseconds
 *   sleep-while PID MS      (Windows) sleeps MS milliseconds or until PID ends
 *   chatter                 writes "chatter" lines for ever
 *   sleeper                 starts a copy of itself that sleeps 300 s holding
 *                           our stdout, and prints its pid
 *   wait                    waits for the sleeper to end
 *   exit N                  exits with N
 * Binary streams on Windows, so that bytes count as on POSIX. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>

#include <direct.h>
#include <tlhelp32.h>
#include <fcntl.h>
#include <io.h>
#define read _read
#define write _write
#else
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
extern char **environ;
#endif

static void fill(FILE *f, long n, char c) {
  char buf[65536];
  memset(buf, c, sizeof buf);
  while (n > 0) {
    size_t chunk = n < (long)sizeof buf ? (size_t)n : sizeof buf;
    if (fwrite(buf, 1, chunk, f) != chunk) exit(120);
    n -= (long)chunk;
  }
  fflush(f);
}

static void sleep_ms(long ms) {
#ifdef _WIN32
  Sleep((DWORD)ms);
#else
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
#endif
}

#ifdef _WIN32
static HANDLE sleeper_process;
#else
static pid_t sleeper_process;
#endif

#ifdef _WIN32
static unsigned long parent_pid(void) {
  unsigned long ppid = 0;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) return 0;
  PROCESSENTRY32 e;
  e.dwSize = sizeof e;
  for (BOOL more = Process32First(snap, &e); more; more = Process32Next(snap, &e))
    if (e.th32ProcessID == GetCurrentProcessId()) ppid = e.th32ParentProcessID;
  CloseHandle(snap);
  return ppid;
}

/* Sleeps `ms` or until process `pid` has ended, whichever comes first. */
static void sleep_while(unsigned long pid, long ms) {
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
  if (h == NULL) return; /* gone already */
  WaitForSingleObject(h, (DWORD)ms);
  CloseHandle(h);
}
#endif

static long start_sleeper(const char *self) {
  fflush(stdout);
#ifdef _WIN32
  char path[MAX_PATH];
  if (GetModuleFileNameA(NULL, path, sizeof path) == 0) exit(121);
  (void)self;
  /* It sleeps while the process that started us (the test) lives: under
   * Wine every process holds the Unix stderr of the one that started Wine,
   * so a sleeper outliving a failed test would keep the test runner
   * waiting for that stream's end until its timeout. */
  char cmdline[MAX_PATH + 64];
  snprintf(cmdline, sizeof cmdline, "\"%s\" sleep-while %lu 300000", path, parent_pid());
  /* The sleeper holds our stdout and nothing else: not our stderr (the
   * test's own, which the test runner waits on), and no console (whose
   * host would hold what it inherited for as long as the sleeper lives). */
  STARTUPINFOEXA si;
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  si.StartupInfo.hStdOutput = out;
  /* Our stdout must be inheritable for the sleeper to hold it. */
  SetHandleInformation(out, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  SIZE_T size = 0;
  InitializeProcThreadAttributeList(NULL, 1, 0, &size);
  si.lpAttributeList = (LPPROC_THREAD_ATTRIBUTE_LIST)malloc(size);
  if (si.lpAttributeList == NULL ||
      !InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0, &size) ||
      !UpdateProcThreadAttribute(si.lpAttributeList, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, &out,
                                 sizeof out, NULL, NULL))
    exit(121);
  PROCESS_INFORMATION pi;
  if (!CreateProcessA(NULL, cmdline, NULL, NULL, TRUE,
                      DETACHED_PROCESS | EXTENDED_STARTUPINFO_PRESENT, NULL, NULL,
                      &si.StartupInfo, &pi))
    exit(121);
  DeleteProcThreadAttributeList(si.lpAttributeList);
  free(si.lpAttributeList);
  CloseHandle(pi.hThread);
  sleeper_process = pi.hProcess;
  return (long)pi.dwProcessId;
#else
  char *argv[] = {(char *)self, "sleep", "300000", NULL};
  if (posix_spawn(&sleeper_process, self, NULL, NULL, argv, environ) != 0) exit(121);
  return (long)sleeper_process;
#endif
}

static void wait_sleeper(void) {
#ifdef _WIN32
  if (sleeper_process != NULL) WaitForSingleObject(sleeper_process, INFINITE);
#else
  if (sleeper_process > 0) waitpid(sleeper_process, NULL, 0);
#endif
}

int main(int argc, char **argv) {
#ifdef _WIN32
  _setmode(0, _O_BINARY);
  _setmode(1, _O_BINARY);
  _setmode(2, _O_BINARY);
#endif
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    const char *x = i + 1 < argc ? argv[i + 1] : "";
    const char *y = i + 2 < argc ? argv[i + 2] : "";
    if (strcmp(a, "out") == 0) {
      printf("%s\n", x), fflush(stdout), ++i;
    } else if (strcmp(a, "err") == 0) {
      fprintf(stderr, "%s\n", x), fflush(stderr), ++i;
    } else if (strcmp(a, "fill-out") == 0 || strcmp(a, "fill-err") == 0) {
      fill(a[5] == 'o' ? stdout : stderr, atol(x), y[0]), i += 2;
    } else if (strcmp(a, "cat") == 0) {
      /* Chunk by chunk as it comes, as cat does: a reader waiting for an
       * echo must not wait for EOF (fread would fill its whole buffer). */
      fflush(stdout);
      char buf[65536];
      for (;;) {
        int n = (int)read(0, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) return 122;
        for (int done = 0; done < n;) {
          int w = (int)write(1, buf + done, (unsigned)(n - done));
          if (w <= 0) return 122;
          done += w;
        }
      }
    } else if (strcmp(a, "env") == 0) {
      const char *sep = x;
      for (i += 2; i < argc; ++i) {
        const char *v = getenv(argv[i]);
        printf("%s%s", v != NULL ? v : "", i + 1 < argc ? sep : "\n");
      }
      fflush(stdout);
    } else if (strcmp(a, "cwd") == 0) {
      char buf[4096];
#ifdef _WIN32
      if (_getcwd(buf, sizeof buf) == NULL) return 123;
#else
      if (getcwd(buf, sizeof buf) == NULL) return 123;
#endif
      printf("%s\n", buf), fflush(stdout);
    } else if (strcmp(a, "fd-write") == 0) {
      char line[1024];
      int len = snprintf(line, sizeof line, "%s\n", y);
#ifdef _WIN32
      if (_write(atoi(x), line, (unsigned)len) != len) return 124;
#else
      if (write(atoi(x), line, (size_t)len) != len) return 124;
#endif
      i += 2;
    } else if (strcmp(a, "sleep") == 0) {
      sleep_ms(atol(x)), ++i;
#ifdef _WIN32
    } else if (strcmp(a, "sleep-while") == 0) {
      sleep_while(strtoul(x, NULL, 10), atol(y)), i += 2;
#endif
    } else if (strcmp(a, "chatter") == 0) {
      for (;;) printf("chatter\n");
    } else if (strcmp(a, "sleeper") == 0) {
      printf("%ld\n", start_sleeper(argv[0])), fflush(stdout);
    } else if (strcmp(a, "wait") == 0) {
      wait_sleeper();
    } else if (strcmp(a, "exit") == 0) {
      return atoi(x);
    } else {
      fprintf(stderr, "test-tool: unknown action %s\n", a);
      return 125;
    }
  }
  return 0;
}
