// The core's error model: every failure is an mproc::Error carrying an
// MPROC_E* code and a sentence for mproc_last_error(). The API layer turns
// it back into a return code; nothing else crosses the C boundary.
#pragma once

#include <mproc/common.h>

#include <exception>
#include <string>

namespace mproc {

class Error : public std::exception {
 public:
  Error(int code, std::string message)
      : code_(code), message_(std::move(message)) {}
  int code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  int code_;
  std::string message_;
};

// Throws Error(code, message).
[[noreturn]] void fail(int code, std::string message);
// Throws `err` (errno, positive; defaults to the current errno) as an Error
// whose message reads "<what>: <description>".
[[noreturn]] void fail_errno(const std::string& what);
[[noreturn]] void fail_errno(const std::string& what, int err);

// MPROC_E* code for a positive errno value.
int code_from_errno(int err) noexcept;
// Static description and symbolic name of a code; never null.
const char* error_text(int code) noexcept;
const char* error_name(int code) noexcept;
// Whether `code` is 0 or one of the codes MPROC_ERRNO_MAP lists: the only
// ones that may leave the library (mproc/common.h, "Errors").
bool documented_code(int code) noexcept;

}  // namespace mproc
