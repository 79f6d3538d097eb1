/* The smallest program against mproc: prints the library's version and
 * what it knows about this process. The demo's first stop. */
#include <mproc/mproc.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("%s\n", mproc_version_string());
    return 0;
  }
  /* mproc_parent_pid is the process that started this one through mproc:
   * none (0) for a program started from a shell. */
  printf("pid %lld, mproc parent %lld, %d usable CPUs\n", (long long)mproc_getpid(),
         (long long)mproc_parent_pid(), mproc_cpu_count());
  printf("error codes read like libuv's: %s = \"%s\"\n",
         mproc_err_name(MPROC_ETIMEDOUT), mproc_strerror(MPROC_ETIMEDOUT));
  return 0;
}
