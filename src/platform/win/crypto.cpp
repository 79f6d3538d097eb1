// platform/crypto.hpp on Windows: CNG's BCrypt (bcrypt.dll, in every
// Windows since Vista, and in Wine) for HMAC. There is no constant-time compare in the Windows API: the loop
// below touches every byte whatever they hold, through volatile reads the
// compiler can not cut short.
#include <windows.h>
#include <bcrypt.h>

#include <mproc/common.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "platform/crypto.hpp"
#include "platform/error.hpp"

namespace mproc::platform {
namespace {

const wchar_t* algorithm_of(Digest d) noexcept {
  switch (d) {
    case Digest::kMd5: return BCRYPT_MD5_ALGORITHM;
    case Digest::kSha256: return BCRYPT_SHA256_ALGORITHM;
    case Digest::kSha384: return BCRYPT_SHA384_ALGORITHM;
  }
  return nullptr;
}

[[noreturn]] void fail_status(const std::string& what, NTSTATUS status) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(status));
  fail(MPROC_ENOTSUP, what + " (BCrypt status 0x" + hex + ")");
}

// One HMAC provider per digest, opened once and kept (providers are
// thread-safe and cost a lookup to open).
BCRYPT_ALG_HANDLE provider(Digest d) {
  static std::mutex mu;
  static BCRYPT_ALG_HANDLE providers[3] = {nullptr, nullptr, nullptr};
  size_t i = static_cast<size_t>(d);
  std::lock_guard<std::mutex> hold(mu);
  if (providers[i] == nullptr) {
    NTSTATUS st = BCryptOpenAlgorithmProvider(&providers[i], algorithm_of(d), nullptr,
                                              BCRYPT_ALG_HANDLE_HMAC_FLAG);
    if (!BCRYPT_SUCCESS(st)) {
      providers[i] = nullptr;
      fail_status("HMAC is not available from BCrypt", st);
    }
  }
  return providers[i];
}

}  // namespace

size_t hmac(Digest d, const void* key, size_t key_len, const void* msg, size_t msg_len,
            unsigned char out[kMaxDigestSize]) {
  BCRYPT_HASH_HANDLE hash = nullptr;
  // BCrypt wants a non-null secret pointer even for an empty key.
  static UCHAR no_key = 0;
  NTSTATUS st = BCryptCreateHash(
      provider(d), &hash, nullptr, 0,
      key_len == 0 ? &no_key : static_cast<PUCHAR>(const_cast<void*>(key)),
      static_cast<ULONG>(key_len), 0);
  if (!BCRYPT_SUCCESS(st)) fail_status("BCryptCreateHash", st);
  ULONG size = static_cast<ULONG>(digest_size(d));
  st = BCryptHashData(hash, static_cast<PUCHAR>(const_cast<void*>(msg)),
                      static_cast<ULONG>(msg_len), 0);
  if (BCRYPT_SUCCESS(st)) st = BCryptFinishHash(hash, out, size, 0);
  BCryptDestroyHash(hash);
  if (!BCRYPT_SUCCESS(st)) fail_status("BCrypt HMAC", st);
  return size;
}

// random_bytes: win/security.cpp (RtlGenRandom), one source for the whole
// Windows layer.

bool equal_ct(const void* a, const void* b, size_t n) noexcept {
  const volatile unsigned char* x = static_cast<const volatile unsigned char*>(a);
  const volatile unsigned char* y = static_cast<const volatile unsigned char*>(b);
  unsigned char diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(x[i] ^ y[i]);
  return diff == 0;
}

void wipe(void* p, size_t n) noexcept { SecureZeroMemory(p, n); }

}  // namespace mproc::platform
