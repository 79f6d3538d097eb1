// The OS-free half of naming shared objects, the same on every family so
// that a name valid on one system is valid on all.
#include <mproc/common.h>

#include <string>

#include "platform/error.hpp"
#include "platform/shm.hpp"

namespace mproc::platform {

std::string SharedMapping::name_of_random(const unsigned char* bytes, size_t len) {
  static const char hex[] = "0123456789abcdef";
  std::string name = "mproc-";
  for (size_t i = 0; i < len; ++i) {
    name += hex[bytes[i] >> 4];
    name += hex[bytes[i] & 15];
  }
  return name;
}

// Letters, digits, '-', '_' and '.': this also keeps '/' out of POSIX
// names and backslashes (namespace separators) out of Windows kernel names.
void SharedMapping::check_name(const std::string& name) {
  if (name.empty() || name.size() > 200)
    fail(MPROC_EINVAL, "shared object names are 1 to 200 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok)
      fail(MPROC_EINVAL, "shared object name '" + name +
                             "' may hold only letters, digits, '-', '_' and '.'");
  }
  if (name == "." || name == "..") fail(MPROC_EINVAL, "shared object name may not be . or ..");
}

}  // namespace mproc::platform
