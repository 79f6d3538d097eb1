// Windows errors as mproc errors: GetLastError() codes mapped onto the
// MPROC_E* codes (the negated Linux errno values of common.h), with the
// system's own description of the error in the message.
#pragma once

#include <string>

namespace mproc::platform {

// MPROC_E* code for a Win32 error code (GetLastError()); MPROC_EIO for one
// with no closer meaning.
int code_from_win32(unsigned long err) noexcept;
// The system's one-line description of a Win32 error code, in English
// where the system has it, without the trailing newline.
std::string win32_text(unsigned long err);
// Throws an Error whose code is code_from_win32(err) and whose message
// reads "<what>: <description> (Windows error <err>)".
[[noreturn]] void fail_win32(const std::string& what, unsigned long err);
// The same for the calling thread's GetLastError().
[[noreturn]] void fail_win32(const std::string& what);

}  // namespace mproc::platform
