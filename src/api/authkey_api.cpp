// C entry points for authentication keys.
#include <mproc/authkey.h>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "core/authkey.hpp"

namespace {

std::string key_of(const void* key, size_t len, const char* function) {
  mproc::api::require(key != nullptr, function, "key is NULL");
  mproc::core::check_authkey_size(len, function);
  return std::string(static_cast<const char*>(key), len);
}

int hand_out(const std::string& key, void* buf, size_t cap, size_t* len,
             const char* function) {
  mproc::api::require(len != nullptr, function, "len is NULL");
  mproc::api::require(buf != nullptr || cap == 0, function, "buf is NULL but cap is not 0");
  int rc = mproc::core::copy_authkey_out(key, buf, cap, len);
  if (rc == MPROC_ETOOBIG)
    return mproc::api::fail_message(
        rc, std::string(function) + ": the key has " + std::to_string(key.size()) +
                " bytes, the buffer " + std::to_string(cap));
  return rc;
}

}  // namespace

extern "C" {

int mproc_authkey_get(void* buf, size_t cap, size_t* len) {
  MPROC_API_BEGIN
  return hand_out(mproc::core::current_authkey(), buf, cap, len, __func__);
  MPROC_API_END
}

int mproc_authkey_set(const void* key, size_t len) {
  MPROC_API_BEGIN
  mproc::core::set_current_authkey(key_of(key, len, __func__));
  return 0;
  MPROC_API_END
}

int mproc_process_opts_set_authkey(mproc_process_opts_t* opts, const void* key, size_t len) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  o.authkey = key_of(key, len, __func__);
  return 0;
  MPROC_API_END
}

int mproc_process_set_authkey(mproc_process_t* p, const void* key, size_t len) {
  MPROC_API_BEGIN
  auto& proc = MPROC_UNWRAP(p);
  proc.set_authkey(key_of(key, len, __func__));
  return 0;
  MPROC_API_END
}

int mproc_process_authkey(const mproc_process_t* p, void* buf, size_t cap, size_t* len) {
  MPROC_API_BEGIN
  return hand_out(MPROC_UNWRAP(p).authkey(), buf, cap, len, __func__);
  MPROC_API_END
}

}  // extern "C"
