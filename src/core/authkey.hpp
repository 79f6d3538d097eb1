// The process's authentication key (Python's current_process().authkey):
// the secret that Listener and Client connections prove knowledge of.
// A main process makes 32 random bytes from the operating system on first
// use; a child receives its key in its launch request (never on a command
// line or in its environment) and has it before its task runs.
#pragma once

#include <cstddef>
#include <string>

namespace mproc::core {

// The most bytes a key may have (mproc/authkey.h's MPROC_AUTHKEY_MAX).
inline constexpr size_t kAuthkeyMax = 1024;
// The size of a key made by a main process, as Python's os.urandom(32).
inline constexpr size_t kAuthkeyDefaultSize = 32;

// A copy of this process's key (made on first use in a main process).
std::string current_authkey();
// Replaces this process's key. Throws EINVAL for an empty or too long key.
void set_current_authkey(std::string key);
// Throws MPROC_EINVAL ("<what>: ...") unless 1 <= len <= kAuthkeyMax.
void check_authkey_size(size_t len, const char* what);

// Copies `key` into a caller's buffer of `cap` bytes (the C ABI's rule for
// buffers): *len gets the key's size; MPROC_ETOOBIG when cap is short
// (nothing copied), else 0.
int copy_authkey_out(const std::string& key, void* buf, size_t cap, size_t* len);

}  // namespace mproc::core
