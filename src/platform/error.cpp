#include "platform/error.hpp"

#include <cerrno>
#include <cstring>

namespace mproc {

void fail(int code, std::string message) {
  throw Error(code, std::move(message));
}

int code_from_errno(int err) noexcept {
  // OS codes are the negated Linux errno by definition (see common.h).
  return err > 0 ? -err : MPROC_EINTERNAL;
}

void fail_errno(const std::string& what, int err) {
  throw Error(code_from_errno(err), what + ": " + error_text(-err));
}

void fail_errno(const std::string& what) { fail_errno(what, errno); }

const char* error_text(int code) noexcept {
  switch (code) {
    case 0:
      return "success";
#define MPROC__ERRNO_TEXT(name, value, message) \
  case MPROC_##name:                            \
    return message;
    MPROC_ERRNO_MAP(MPROC__ERRNO_TEXT)
#undef MPROC__ERRNO_TEXT
    default:
      break;
  }
  // An OS error outside the table: the C library knows it. strerror's text
  // for a valid errno is static in glibc.
  if (code < 0 && code > -4096) return strerror(-code);
  return "unknown error";
}

const char* error_name(int code) noexcept {
  switch (code) {
    case 0:
      return "OK";
#define MPROC__ERRNO_NAME(name, value, message) \
  case MPROC_##name:                            \
    return #name;
    MPROC_ERRNO_MAP(MPROC__ERRNO_NAME)
#undef MPROC__ERRNO_NAME
    default:
      break;
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (code < 0 && code > -4096) {
    if (const char* name = strerrorname_np(-code)) return name;
  }
#endif
  return "UNKNOWN";
}

}  // namespace mproc
