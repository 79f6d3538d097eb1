// Plug-ins on Windows: LoadLibraryExW with the DLL's own folder searched
// for what it needs, as a Windows plug-in expects.
#include "platform/plugin.hpp"

#include <windows.h>

#include "platform/error.hpp"
#include "platform/win/security.hpp"
#include "platform/win/win32_error.hpp"

namespace mproc::platform {

std::string own_library_dir() {
  HMODULE self = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                              GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          reinterpret_cast<LPCWSTR>(reinterpret_cast<void*>(&own_library_dir)),
                          &self))
    return "";
  std::wstring path(32768, L'\0');
  DWORD n = GetModuleFileNameW(self, path.data(), static_cast<DWORD>(path.size()));
  if (n == 0 || n >= path.size()) return "";
  path.resize(n);
  size_t sep = path.find_last_of(L"\\/");
  return sep == std::wstring::npos ? std::string(".") : wide_to_utf8(path.substr(0, sep));
}

void* load_plugin_symbol(const std::string& path, const char* symbol) {
  std::wstring wide = utf8_to_wide(path, "plug-in path");
  if (GetFileAttributesW(wide.c_str()) == INVALID_FILE_ATTRIBUTES)
    fail(MPROC_ENOENT, "plug-in " + path + ": no such file");
  HMODULE module = LoadLibraryExW(wide.c_str(), nullptr,
                                  LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR |
                                      LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
  if (module == nullptr) fail_win32("plug-in " + path + " would not load");
  FARPROC address = GetProcAddress(module, symbol);
  if (address == nullptr)
    fail(MPROC_ENOTSUP, "plug-in " + path + " has no " + symbol + ": not a plug-in of this mproc");
  return reinterpret_cast<void*>(address);  // never freed: see plugin.hpp
}

}  // namespace mproc::platform
