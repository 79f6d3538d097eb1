/* terminate, then is_alive: a terminated process is still alive for a
 * moment (the signal is on its way), and not once it has been joined. */
#define _GNU_SOURCE 1
#include <mproc/mproc.h>

#include <signal.h>
#include <stdio.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

MPROC_TASK(busy) {
#ifdef _WIN32
  for (;;) Sleep(INFINITE); /* would run for ever */
#else
  while (pause() < 0) {
  } /* would run for ever */
#endif
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* before mproc_main: children print too */
  if (mproc_main(argc, argv) != 0) return 1;
  mproc_process_t *p;
  mproc_process_new(&p, "busy", NULL, NULL);
  mproc_process_start(p);
  int alive = 0;
  mproc_process_is_alive(p, &alive);
  printf("before terminate: alive=%d\n", alive);
  mproc_process_terminate(p);
  mproc_process_join(p, MPROC_FOREVER);
  mproc_process_is_alive(p, &alive);
  int code = 0;
  mproc_process_exitcode(p, &code);
  printf("after terminate and join: alive=%d exitcode=%d (-SIGTERM is %d)\n", alive, code,
         -SIGTERM);
  mproc_process_free(p);
  return 0;
}
