/* Prints the descriptors this process has open from 3 up, one per line,
 * leaving out the one it uses to read /proc/self/fd. Tests run it to see
 * what a command inherited. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  DIR *dir = opendir("/proc/self/fd");
  if (dir == NULL) return 2;
  int own = dirfd(dir);
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    int fd = atoi(e->d_name);
    if (fd >= 3 && fd != own) printf("%d\n", fd);
  }
  closedir(dir);
  return 0;
}
