// What every named kernel object of mproc is made with: a DACL granting
// the current user alone full access (the counterpart of mode 0600 on
// /dev/shm), and names in the session-local namespace ("Local\"), so two
// logon sessions of one user never meet by accident.
#pragma once

#include <windows.h>

#include <string>

namespace mproc::platform {

// Security attributes with the owner-only DACL, not inheritable. Built
// once per process (from the process token's user); throws if the token
// can not be read.
SECURITY_ATTRIBUTES* owner_only_attributes();

// "Local\" + `name`, as UTF-16 for the W functions.
std::wstring local_object_name(const std::string& name);

// UTF-8 to UTF-16; throws EINVAL for bytes that are not UTF-8.
std::wstring widen(const std::string& utf8);
// The same for text that must not hold NUL either (paths, arguments):
// EINVAL naming the string as `what`; ENAMETOOLONG past 2^31 bytes.
std::wstring utf8_to_wide(const std::string& s, const char* what);
// UTF-16 to UTF-8; an unpaired surrogate becomes U+FFFD (this direction
// only makes text for messages and names the system gave us).
std::string wide_to_utf8(const std::wstring& s);

// 16 random bytes' worth of randomness from the system generator.
void random_bytes(void* out, size_t len);

}  // namespace mproc::platform
