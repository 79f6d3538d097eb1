// The exception firewall between the C ABI and the C++ core.
//
// Every extern "C" entry point body sits between MPROC_API_BEGIN and
// MPROC_API_END: whatever the core throws becomes a negative MPROC_E* code
// and a thread-local message for mproc_last_error(). Outcomes that are not
// failures of the program (a timeout, an empty queue) come back from the
// core as codes and go through status(), which records a static message
// without allocating.
#pragma once

#include "platform/error.hpp"

#include <string>

namespace mproc::api {

// Translates the exception being handled; call only inside a catch block.
int fail_current_exception(const char* function) noexcept;
// Records a failure with a static message; returns `code`.
int fail_static(int code, const char* message) noexcept;
// Records a failure with a composed message; returns `code`.
int fail_message(int code, const std::string& message) noexcept;

// MPROC_ETOOBIG from a receive into a caller's buffer: says how big the
// message is against the buffer, and that the message was kept.
int buffer_too_small(const char* function, size_t needed, size_t cap) noexcept;

// The calling thread's most recent failure (for mproc_last_error*).
const char* last_error_text() noexcept;
int last_error_code() noexcept;

// Passes a core status through: 0 stays 0, a negative code is recorded with
// the code's generic text (prefixed by nothing: the code says it all).
inline int status(int code) noexcept {
  return code == 0 ? 0 : fail_static(code, mproc::error_text(code));
}

// Throws MPROC_EINVAL "<function>: <what>" unless `ok`.
inline void require(bool ok, const char* function, const char* what) {
  if (!ok) mproc::fail(MPROC_EINVAL, std::string(function) + ": " + what);
}

}  // namespace mproc::api

#define MPROC_API_BEGIN try {
#define MPROC_API_END                                        \
  }                                                          \
  catch (...) {                                              \
    return ::mproc::api::fail_current_exception(__func__);   \
  }
#define MPROC_API_END_VOID                                   \
  }                                                          \
  catch (...) {                                              \
    (void)::mproc::api::fail_current_exception(__func__);    \
  }

// Argument check inside an API body: MPROC_REQUIRE(lock, "lock is NULL").
#define MPROC_REQUIRE(cond, what) ::mproc::api::require((cond), __func__, (what))
