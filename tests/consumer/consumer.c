/* A program outside the tree: built against the installed header and
 * library through pkg-config by tests/consumers/install.sh. */
#include <mproc/mproc.h>

#include <stdio.h>

int main(void) {
  if (mproc_version() != MPROC_VERSION_NUMBER) {
    fprintf(stderr, "header %s but library %s\n", MPROC_VERSION_STRING,
            mproc_version_string());
    return 1;
  }
  printf("consumer linked against mproc %s\n", mproc_version_string());
  return 0;
}
