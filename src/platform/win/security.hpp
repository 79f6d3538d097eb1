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

// 16 random bytes' worth of randomness from the system generator.
void random_bytes(void* out, size_t len);

}  // namespace mproc::platform
