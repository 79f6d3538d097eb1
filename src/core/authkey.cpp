#include "core/authkey.hpp"

#include <mproc/common.h>

#include <cstring>
#include <mutex>

#include "platform/crypto.hpp"
#include "platform/error.hpp"
#include "platform/fork_safe_mutex.hpp"

namespace mproc::core {
namespace {

struct KeyState {
  platform::ForkSafeMutex mu;
  bool made = false;
  std::string key;
};

KeyState& state() {
  static auto* s = new KeyState;  // read by children at exit paths: never freed
  return *s;
}

// Replaces `old` after overwriting its bytes, so a discarded key does not
// linger in freed memory.
void replace(std::string& old, std::string fresh) {
  if (!old.empty()) platform::wipe(&old[0], old.size());
  old = std::move(fresh);
}

}  // namespace

void check_authkey_size(size_t len, const char* what) {
  if (len == 0)
    fail(MPROC_EINVAL, std::string(what) +
                           ": an empty authkey (a connection without authentication is "
                           "asked for explicitly: mproc_net_opts_set_no_auth)");
  if (len > kAuthkeyMax)
    fail(MPROC_EINVAL, std::string(what) + ": an authkey of " + std::to_string(len) +
                           " bytes is longer than MPROC_AUTHKEY_MAX (" +
                           std::to_string(kAuthkeyMax) + ")");
}

std::string current_authkey() {
  KeyState& s = state();
  std::lock_guard<platform::ForkSafeMutex> hold(s.mu);
  if (!s.made) {
    std::string key(kAuthkeyDefaultSize, '\0');
    platform::random_bytes(&key[0], key.size());
    replace(s.key, std::move(key));
    s.made = true;
  }
  return s.key;
}

void set_current_authkey(std::string key) {
  check_authkey_size(key.size(), "authkey");
  KeyState& s = state();
  std::lock_guard<platform::ForkSafeMutex> hold(s.mu);
  replace(s.key, std::move(key));
  s.made = true;
}

int copy_authkey_out(const std::string& key, void* buf, size_t cap, size_t* len) {
  *len = key.size();
  if (cap < key.size()) return MPROC_ETOOBIG;
  std::memcpy(buf, key.data(), key.size());
  return 0;
}

}  // namespace mproc::core
