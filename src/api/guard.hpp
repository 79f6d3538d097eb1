// The exception firewall between the C ABI and the C++ core.
//
// Every extern "C" entry point body sits between MPROC_API_BEGIN and
// MPROC_API_END: whatever the core throws becomes a negative MPROC_E* code
// and a thread-local message for mproc_last_error(). Outcomes that are not
// failures of the program (a timeout, an empty queue) come back from the
// core as codes and go through status(), which records a static message
// without allocating.
#pragma once

#include "platform/deadline.hpp"
#include "platform/error.hpp"

#include <string>

namespace mproc::api {

// Only documented codes leave the library (mproc/common.h, "Errors"):
// every failure is recorded through fail_static or fail_message, which
// turn a code MPROC_ERRNO_MAP does not list into public_code(code) and keep
// the original in the message.

// `code` if documented; else MPROC_EIO for an OS error outside the table,
// MPROC_EINTERNAL for anything else. For codes handed out in
// out-parameters.
int public_code(int code) noexcept;
// Translates the exception being handled; call only inside a catch block.
int fail_current_exception(const char* function) noexcept;
// Records a failure with a static message; returns `code` (see above).
int fail_static(int code, const char* message) noexcept;
// Records a failure with a composed message; returns `code` (see above).
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

// A handle argument that is not usable: MPROC_EINVAL "<function>: the
// handle was freed or is not a <label>", or for
// NULL says so ("<function>: <label> is NULL"). Out of line and cold, so
// the check on every call's fast path stays a compare and a branch.
[[noreturn]] __attribute__((cold, noinline)) void fail_bad_handle(const void* handle,
                                                                  const char* function,
                                                                  const char* label);
// A *_free given a handle it may not free (freed already, of another type,
// or lent by the library for one call): recorded as the thread's last
// error, since *_free returns nothing.
void note_bad_free(const char* function, const char* label, bool lent) noexcept;

// Throws MPROC_EINVAL for a timeout that is negative but not MPROC_FOREVER,
// naming the function and the value.
[[noreturn]] void bad_timeout(int64_t timeout_ms, const char* function);

// The one reading of every entry point's timeout_ms: MPROC_FOREVER (-1)
// waits without limit, 0 never blocks, any other negative value is
// MPROC_EINVAL (it used to wait forever, hiding a caller's arithmetic bug).
// Values too large for the clock's arithmetic (INT64_MAX) mean "forever in
// all but name" (Deadline caps them), never an overflow. Call it before
// the entry point has any effect.
inline platform::Deadline deadline_of(int64_t timeout_ms, const char* function) {
  if (timeout_ms < 0 && timeout_ms != -1) bad_timeout(timeout_ms, function);
  return platform::Deadline::after_ms(timeout_ms);
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

// The deadline of an entry point's timeout_ms argument (see deadline_of).
#define MPROC_DEADLINE(timeout_ms) ::mproc::api::deadline_of((timeout_ms), __func__)

// Argument check inside an API body: MPROC_REQUIRE(lock, "lock is NULL").
#define MPROC_REQUIRE(cond, what) ::mproc::api::require((cond), __func__, (what))
