// Facts about the running process, on Windows.
#include "platform/sysinfo.hpp"

#include <windows.h>

namespace mproc::platform {
namespace {

// NtQueryInformationProcess's basic answer, of which only the parent's id
// is wanted. The function is ntdll's, looked up at run time.
struct ProcessBasicInformation {
  LONG exit_status;
  void* peb;
  ULONG_PTR affinity;
  LONG base_priority;
  ULONG_PTR pid;
  ULONG_PTR parent_pid;
};
using NtQueryInformationProcessFn = LONG(NTAPI*)(HANDLE, int, void*, ULONG, ULONG*);

int64_t ask_parent_pid() noexcept {
  auto query = reinterpret_cast<NtQueryInformationProcessFn>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationProcess")));
  if (query == nullptr) return 0;
  ProcessBasicInformation info{};
  if (query(GetCurrentProcess(), 0 /* ProcessBasicInformation */, &info, sizeof info,
            nullptr) < 0)
    return 0;
  return static_cast<int64_t>(info.parent_pid);
}

}  // namespace

__thread int32_t t_current_tid __attribute__((tls_model("initial-exec"))) = 0;

int cpu_count() noexcept {
  DWORD_PTR process_mask = 0, system_mask = 0;
  if (GetProcessAffinityMask(GetCurrentProcess(), &process_mask, &system_mask) &&
      process_mask != 0) {
    // A process spread over several processor groups reports a mask of 0;
    // one in a single group (the usual case) the CPUs it may run on.
    return __builtin_popcountll(static_cast<unsigned long long>(process_mask));
  }
  DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
  return n > 0 ? static_cast<int>(n) : 1;
}

size_t page_size() noexcept {
  static const size_t page = [] {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return static_cast<size_t>(si.dwPageSize);
  }();
  return page;
}

int64_t current_pid() noexcept { return GetCurrentProcessId(); }

// The id of the process that created this one, as recorded at creation.
// Windows does not reparent: this stays the creator's id after it exits,
// and that id may then name a newer, unrelated process. The answer never
// changes, so it is asked once.
int64_t parent_pid() noexcept {
  static const int64_t parent = ask_parent_pid();
  return parent;
}

// There is no fork on Windows, so a cached id never goes stale.
int32_t fetch_current_tid() noexcept {
  t_current_tid = static_cast<int32_t>(GetCurrentThreadId());
  return t_current_tid;
}

}  // namespace mproc::platform
