/* Prints the descriptors this process has open from 3 up, one per line,
 * leaving out the one it uses to read /proc/self/fd. Tests run it to see
 * what a command inherited. On Windows the descriptors are the C runtime's
 * (what the C ABI's `int fd` means there), which a child gets only when
 * its creator hands them over. */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>

#ifdef _WIN32
#include <io.h>

/* A C runtime that checks parameters would end the program on a closed
 * descriptor; here that is the answer we look for. */
static void ignore_bad_parameter(const wchar_t *e, const wchar_t *f, const wchar_t *file,
                                 unsigned line, uintptr_t reserved) {
  (void)e, (void)f, (void)file, (void)line, (void)reserved;
}

int main(void) {
  _set_invalid_parameter_handler(ignore_bad_parameter);
  /* _get_osfhandle reports -1 for a descriptor that is not open; the CRT
   * can hold at most 8192 of them. */
  for (int fd = 3; fd < 8192; ++fd)
    if (_get_osfhandle(fd) != -1) printf("%d\n", fd);
  return 0;
}
#else
#include <dirent.h>

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
#endif
