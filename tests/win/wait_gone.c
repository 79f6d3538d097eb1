/* Waits for a process, not necessarily our child, to end: the Windows side
 * of examples/check_example.py's "the daemon died with its parent" check,
 * which on Linux reads /proc. Under Wine the pids are Windows pids, so the
 * check runs this through the exe wrapper.
 *   wait-gone PID MS    exit 0 if PID ended (or never existed) within MS
 *                       milliseconds, 1 if it still runs, 2 on bad input */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: wait-gone PID MS\n");
    return 2;
  }
  char *end1, *end2;
  unsigned long pid = strtoul(argv[1], &end1, 10);
  unsigned long ms = strtoul(argv[2], &end2, 10);
  if (*end1 != '\0' || *end2 != '\0' || pid == 0) {
    fprintf(stderr, "wait-gone: bad PID or MS: %s %s\n", argv[1], argv[2]);
    return 2;
  }
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
  if (h == NULL) {
    /* No process has that id (any more). */
    if (GetLastError() == ERROR_INVALID_PARAMETER) return 0;
    fprintf(stderr, "wait-gone: OpenProcess(%lu) failed: %lu\n", pid, GetLastError());
    return 2;
  }
  DWORD rc = WaitForSingleObject(h, (DWORD)ms);
  CloseHandle(h);
  if (rc == WAIT_OBJECT_0) return 0;
  if (rc == WAIT_TIMEOUT) {
    fprintf(stderr, "wait-gone: process %lu still runs after %lu ms\n", pid, ms);
    return 1;
  }
  fprintf(stderr, "wait-gone: WaitForSingleObject failed: %lu\n", GetLastError());
  return 2;
}
