#include "section.hpp"

#include <cstdio>

#include "platform/error.hpp"
#include "win32_error.hpp"

namespace mproc::platform::winshm {
namespace {

// NtQuerySection's basic answer: the section's exact size. The function is
// ntdll's, looked up once (mingw-w64's headers do not declare it).
struct SectionBasicInformation {
  void* base;
  ULONG attributes;
  LARGE_INTEGER size;
};
using NtQuerySectionFn = LONG(NTAPI*)(HANDLE, int, void*, SIZE_T, SIZE_T*);

NtQuerySectionFn nt_query_section() {
  static NtQuerySectionFn fn = reinterpret_cast<NtQuerySectionFn>(reinterpret_cast<void*>(
      GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySection")));
  return fn;
}

// A copy of `h` that can not grow the section; closes `h`.
HANDLE restricted(HANDLE h) {
  HANDLE copy = nullptr;
  BOOL ok = DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &copy, kSectionAccess,
                            FALSE, 0);
  DWORD err = GetLastError();
  CloseHandle(h);
  if (!ok) fail_win32("cannot restrict a shared memory handle", err);
  return copy;
}

}  // namespace

size_t section_size(HANDLE h, const std::string& what) {
  NtQuerySectionFn query = nt_query_section();
  if (query == nullptr) fail(MPROC_ENOSYS, "NtQuerySection is missing from ntdll");
  SectionBasicInformation info{};
  LONG status = query(h, 0 /* SectionBasicInformation */, &info, sizeof info, nullptr);
  if (status < 0) {
    char hex[16];
    snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(status));
    fail(MPROC_EBADF, what + " is not a shared memory section (NTSTATUS 0x" + hex + ")");
  }
  if (info.size.QuadPart <= 0) fail(MPROC_ECORRUPT, what + " is empty");
  return static_cast<size_t>(info.size.QuadPart);
}

HANDLE new_section(size_t size, SECURITY_ATTRIBUTES* sa, const wchar_t* name,
                   const std::string& what) {
  uint64_t size64 = size;
  HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, sa, PAGE_READWRITE | SEC_RESERVE,
                                static_cast<DWORD>(size64 >> 32), static_cast<DWORD>(size64),
                                name);
  DWORD err = GetLastError();
  if (h != nullptr && err == ERROR_ALREADY_EXISTS) {
    // The name was taken: CreateFileMapping opened the existing section.
    CloseHandle(h);
    fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken");
  }
  if (h == nullptr) {
    // A name held by a kernel object of another type (an event, a
    // semaphore) is taken too.
    if (err == ERROR_INVALID_HANDLE)
      fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken by another kind of object");
    if (err == ERROR_COMMITMENT_LIMIT || err == ERROR_NOT_ENOUGH_MEMORY)
      fail(MPROC_ENOMEM, "cannot create " + what + " of " + std::to_string(size) +
                             " bytes: " + win32_text(err));
    fail_win32("cannot create " + what, err);
  }
  return restricted(h);
}

std::string commit_room() {
  MEMORYSTATUSEX st;
  st.dwLength = sizeof st;
  if (!GlobalMemoryStatusEx(&st)) return "";
  return " (the system commit limit is " + std::to_string(st.ullTotalPageFile) + " bytes, " +
         std::to_string(st.ullAvailPageFile) + " of them still free)";
}

}  // namespace mproc::platform::winshm
