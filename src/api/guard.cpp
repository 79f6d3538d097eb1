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

// Records an undocumented code as the documented one that stands for it,
// the original named in the message ("... (ELOOP, code -40)").
int fail_undocumented(int code, const char* message) noexcept {
  int shown = public_code(code);
  try {
    t_last.text = std::string(message) + " (" + mproc::error_name(code) + ", code " +
                  std::to_string(code) + ")";
    t_last.dynamic = true;
    t_last.code = shown;
    return shown;
  } catch (...) {
    t_last.code = shown;
    t_last.static_text = mproc::error_text(shown);
    t_last.dynamic = false;
    return shown;
  }
}

}  // namespace

int public_code(int code) noexcept {
  if (mproc::documented_code(code)) return code;
  // An OS error outside the table is still an OS error; anything else is
  // a code the library should never have produced.
  return code < 0 && code > -4096 ? MPROC_EIO : MPROC_EINTERNAL;
}

int fail_static(int code, const char* message) noexcept {
  if (!mproc::documented_code(code)) return fail_undocumented(code, message);
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
  if (!mproc::documented_code(code)) return fail_undocumented(code, message.c_str());
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

void fail_bad_handle(const void* handle, const char* function, const char* label) {
  if (handle == nullptr) mproc::fail(MPROC_EINVAL, std::string(function) + ": " + label + " is NULL");
  mproc::fail(MPROC_EINVAL,
              std::string(function) + ": the handle was freed or is not a " + label);
}

void note_bad_free(const char* function, const char* label, bool lent) noexcept {
  if (!lent) {
    try {
      (void)fail_message(MPROC_EINVAL, std::string(function) + ": the handle was already "
                                           "freed or is not a " + label + "; nothing freed");
    } catch (...) {
      (void)fail_static(MPROC_EINVAL, "handle was freed or is of another type; nothing freed");
    }
    return;
  }
  try {
    (void)fail_message(MPROC_EINVAL, std::string(function) + ": this " + label +
                                         " is lent by the library for one call and freed by "
                                         "it; nothing freed");
  } catch (...) {
    (void)fail_static(MPROC_EINVAL, "handle is lent by the library; nothing freed");
  }
}

void bad_timeout(int64_t timeout_ms, const char* function) {
  mproc::fail(MPROC_EINVAL, std::string(function) + ": timeout_ms is " +
                                std::to_string(timeout_ms) +
                                "; use MPROC_FOREVER (-1) to wait without limit, or 0 or "
                                "more milliseconds");
}

const char* last_error_text() noexcept {
  return t_last.dynamic ? t_last.text.c_str() : t_last.static_text;
}

int last_error_code() noexcept { return t_last.code; }

}  // namespace mproc::api
