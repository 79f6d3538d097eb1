/* Mapping a named shared object from outside, as a misbehaving peer
 * might, to scribble over it: the suites check that the library reports
 * what it finds (ECORRUPT), never crashes. */
#ifndef MPROC_TEST_NAMED_SHM_H
#define MPROC_TEST_NAMED_SHM_H

#include "harness.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

#ifdef _WIN32
/* A Windows name is an entry section holding the current generation
 * (shifted left once, low bit "linked"); the memory is that generation's
 * section (src/platform/win/shm.cpp). */
static inline void *map_named(const char *name, size_t *size) {
  wchar_t wide[256];
  swprintf(wide, 256, L"Local\\mproc-n-%hs", name);
  HANDLE entry = OpenFileMappingW(FILE_MAP_READ, FALSE, wide);
  assert_non_null(entry);
  const volatile uint64_t *word = MapViewOfFile(entry, FILE_MAP_READ, 0, 0, sizeof(uint64_t));
  assert_non_null((const void *)word);
  uint64_t current = *word;
  UnmapViewOfFile((const void *)word);
  CloseHandle(entry);
  assert_true(current & 1);
  swprintf(wide, 256, L"Local\\mproc-o-%hs-%016llx", name, (unsigned long long)(current >> 1));
  HANDLE h = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, wide);
  assert_non_null(h);
  void *p = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
  CloseHandle(h);
  assert_non_null(p);
  MEMORY_BASIC_INFORMATION info;
  assert_true(VirtualQuery(p, &info, sizeof info) != 0);
  *size = info.RegionSize;
  return p;
}

static inline void unmap_named(void *p, size_t size) {
  (void)size;
  UnmapViewOfFile(p);
}

static inline long page_bytes(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return (long)si.dwPageSize;
}
#else
static inline void *map_named(const char *name, size_t *size) {
  char path[128];
  snprintf(path, sizeof path, "/dev/shm/%s", name);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  assert_true(fd >= 0);
  *size = (size_t)lseek(fd, 0, SEEK_END);
  void *p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  assert_true(p != MAP_FAILED);
  return p;
}

static inline void unmap_named(void *p, size_t size) { munmap(p, size); }

static inline long page_bytes(void) { return sysconf(_SC_PAGESIZE); }
#endif

#endif
