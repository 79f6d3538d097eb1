// bench_util.h's measurements on Windows: a process's working set and this
// process's CPU time.
#include <windows.h>
// After windows.h: K32GetProcessMemoryInfo is in kernel32 itself.
#include <psapi.h>

#include "bench_util.h"

double bench_rss_mib(int64_t pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return -1;
  PROCESS_MEMORY_COUNTERS pmc;
  double mib = -1;
  if (K32GetProcessMemoryInfo(h, &pmc, sizeof pmc))
    mib = static_cast<double>(pmc.WorkingSetSize) / (1024.0 * 1024.0);
  CloseHandle(h);
  return mib;
}

namespace {
// FILETIMEs count 100 ns units.
double filetime_ms(const FILETIME& t) {
  return static_cast<double>((uint64_t{t.dwHighDateTime} << 32) | t.dwLowDateTime) / 1e4;
}
}  // namespace

double bench_cpu_ms(void) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) return -1;
  return filetime_ms(kernel) + filetime_ms(user);
}
