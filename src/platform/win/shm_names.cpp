#include "shm_names.hpp"

#include <cstdio>

#include "platform/error.hpp"
#include "security.hpp"
#include "win32_error.hpp"

namespace mproc::platform::winshm {
namespace {

std::wstring entry_name(const std::string& name) { return local_object_name("mproc-n-" + name); }

}  // namespace

std::wstring generation_name(const std::string& name, uint64_t generation) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(generation));
  return local_object_name("mproc-o-" + name + "-" + hex);
}

void open_entry(const std::string& name, bool create, Entry* entry) {
  std::wstring wide = entry_name(name);
  std::string what = "the name entry of shared object '" + name + "'";
  HANDLE h;
  if (create) {
    h = CreateFileMappingW(INVALID_HANDLE_VALUE, owner_only_attributes(), PAGE_READWRITE, 0,
                           sizeof(uint64_t), wide.c_str());
  } else {
    h = OpenFileMappingW(kSectionAccess, FALSE, wide.c_str());
  }
  if (h == nullptr) {
    DWORD err = GetLastError();
    if (!create && (err == ERROR_FILE_NOT_FOUND || err == ERROR_INVALID_HANDLE)) return;
    if (err == ERROR_INVALID_HANDLE)
      fail(MPROC_EEXIST, "cannot create " + what + ": the name is taken by another kind of object");
    fail_win32("cannot open " + what, err);
  }
  entry->handle = h;
  if (section_size(h, what) < sizeof(uint64_t)) fail(MPROC_ECORRUPT, what + " is too small");
  void* p = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(uint64_t));
  if (p == nullptr) fail_win32("cannot map " + what);
  entry->word = static_cast<std::atomic<uint64_t>*>(p);
}

HANDLE open_generation(const std::string& name, uint64_t generation, DWORD access,
                       DWORD* error) {
  std::wstring wide = generation_name(name, generation);
  HANDLE h = OpenFileMappingW(access, FALSE, wide.c_str());
  *error = h == nullptr ? GetLastError() : ERROR_SUCCESS;
  return h;
}

bool generation_alive(const std::string& name, uint64_t generation) {
  DWORD err;
  HANDLE h = open_generation(name, generation, SECTION_QUERY, &err);
  if (h == nullptr) return err != ERROR_FILE_NOT_FOUND && err != ERROR_INVALID_HANDLE;
  CloseHandle(h);
  return true;
}

uint64_t new_generation() {
  uint64_t g = 0;
  while (g == 0) {
    random_bytes(&g, sizeof g);
    g >>= 1;
  }
  return g;
}

}  // namespace mproc::platform::winshm
