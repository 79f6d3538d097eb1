/* Another program with the same task names as test_executable.c but other
 * bodies: a child started through mproc_set_executable runs this, so what
 * comes back says which program ran. It stands for an interpreter: it is
 * given arguments ahead of mproc's work (as python3 is given its script),
 * and the tasks report whether they arrived. */
#include <mproc/mproc.h>

#include <string.h>

static int got_script_args;

/* Exit status 42 when argv held the arguments the test passed, else 41. */
MPROC_TASK(exe_ident) { return got_script_args ? 42 : 41; }

/* The input, prefixed with "other:". */
MPROC_POOL_TASK(exe_tag) {
  char buf[64] = "other:";
  if (len > sizeof buf - 7) return mproc_result_error(out, MPROC_EINVAL, "input too long");
  memcpy(buf + 6, in, len);
  return mproc_result_set(out, buf, 6 + len);
}

int main(int argc, char **argv) {
  got_script_args = argc == 3 && strcmp(argv[1], "--script") == 0 &&
                    strcmp(argv[2], "tasks.mproc") == 0;
  /* A real interpreter would load its script here, registering its tasks,
   * then call mproc_main: in a child started by mproc it does not return. */
  return mproc_main(argc, argv) != 0 ? 2 : 0;
}
