/* A program that uses mproc but forgets to call mproc_main. Run plainly
 * (argv[1]: the start method, "spawn" by default), it starts a child of
 * itself; that child re-runs main() (it was never told to stop at
 * mproc_main) and tries to start a child of its own by the same method
 * (it learns it from the environment), which mproc must refuse rather
 * than recurse. Both report on stdout what happened, with mproc's
 * message. Should mproc fail to refuse, the third generation says
 * "recursed" and stops, so that the failure is reported, not a fork bomb. */
#define _POSIX_C_SOURCE 200809L
#include <mproc/mproc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_variable(const char *name, const char *value) {
#ifdef _WIN32
  _putenv_s(name, value);
#else
  setenv(name, value, 1);
#endif
}

static int nothing(const mproc_args_t *args) {
  (void)args;
  return 0;
}

int main(int argc, char **argv) {
  int child = getenv("MPROC_BOOTSTRAP_FD") != NULL || getenv("MPROC_FORKSERVER_FD") != NULL;
  const char *depth_text = getenv("NO_MPROC_MAIN_DEPTH");
  int depth = depth_text != NULL ? atoi(depth_text) : 0;
  if (depth >= 2) {
    printf("recursed: generation %d ran main()\n", depth + 1);
    return 0;
  }
  char next[16];
  snprintf(next, sizeof next, "%d", depth + 1);
  set_variable("NO_MPROC_MAIN_DEPTH", next);
  if (argc > 1) set_variable("NO_MPROC_MAIN_METHOD", argv[1]);
  const char *name = getenv("NO_MPROC_MAIN_METHOD");
  mproc_start_method_t method = MPROC_START_SPAWN;
  if (name != NULL && strcmp(name, "forkserver") == 0) method = MPROC_START_FORKSERVER;
  if (name != NULL && strcmp(name, "fork") == 0) method = MPROC_START_FORK;
  mproc_set_start_method(method);
  mproc_task_register("nothing", nothing, NULL);
  mproc_process_t *p = NULL;
  if (mproc_process_new(&p, "nothing", NULL, NULL) != 0) return 3;
  int rc = mproc_process_start(p);
  printf("%s start: %s: %s\n", child ? "child" : "parent", mproc_err_name(rc),
         rc == 0 ? "" : mproc_last_error());
  fflush(stdout);
  if (rc == 0) mproc_process_join(p, 10000);
  mproc_process_free(p);
  return 0;
}
