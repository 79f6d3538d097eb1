#include "platform/plugin.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include "platform/error.hpp"

namespace mproc::platform {

std::string own_library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&own_library_dir), &info) == 0 || info.dli_fname == nullptr)
    return "";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

void* load_plugin_symbol(const std::string& path, const char* symbol) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) fail_errno("plug-in " + path);
  // RTLD_GLOBAL: Open MPI opens its own components with dlopen, and they
  // resolve symbols of libmpi, which the plug-in brought in.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    fail(MPROC_ENOTSUP, "plug-in " + path + " would not load: " + (why ? why : "unknown reason"));
  }
  void* address = ::dlsym(handle, symbol);
  if (address == nullptr)
    fail(MPROC_ENOTSUP, "plug-in " + path + " has no " + symbol + ": not a plug-in of this mproc");
  return address;  // never closed: see plugin.hpp
}

}  // namespace mproc::platform
