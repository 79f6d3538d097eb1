#include "api/guard.hpp"

#include <new>
#include <string>

namespace mproc::api {
namespace {

// The calling thread's last failure. Static messages are stored by pointer
// so that ordinary outcomes (timeouts, would-block) cost no allocation.
struct LastError {
  int code = 0;
  const char* static_text = "";
  std::string text;
  bool dynamic = false;
};

thread_local LastError t_last;

}  // namespace

int fail_static(int code, const char* message) noexcept {
  t_last.code = code;
  t_last.static_text = message;
  t_last.dynamic = false;
  return code;
}

int buffer_too_small(const char* function, size_t needed, size_t cap) noexcept {
  try {
    return fail_message(MPROC_ETOOBIG, std::string(function) + ": the message has " +
                                           std::to_string(needed) + " bytes, the buffer " +
                                           std::to_string(cap) + "; it stays queued");
  } catch (...) {
    return fail_static(MPROC_ETOOBIG, mproc::error_text(MPROC_ETOOBIG));
  }
}

int fail_message(int code, const std::string& message) noexcept {
  try {
    t_last.text = message;
    t_last.dynamic = true;
    t_last.code = code;
  } catch (...) {
    return fail_static(code, mproc::error_text(code));
  }
  return code;
}

int fail_current_exception(const char* function) noexcept {
  try {
    throw;
  } catch (const mproc::Error& e) {
    return fail_message(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail_static(MPROC_ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return fail_message(MPROC_EINTERNAL, std::string(function) +
                                             ": unexpected exception: " +
                                             e.what());
  } catch (...) {
    return fail_static(MPROC_EINTERNAL, "unexpected non-standard exception");
  }
}

const char* last_error_text() noexcept {
  return t_last.dynamic ? t_last.text.c_str() : t_last.static_text;
}

int last_error_code() noexcept { return t_last.code; }

}  // namespace mproc::api
