// platform/crypto.hpp with OpenSSL's libcrypto (HMAC, CRYPTO_memcmp,
// OPENSSL_cleanse) and getentropy(3) for the operating system's random
// bytes, as Python's os.urandom reads them.
#include "platform/crypto.hpp"

#include <errno.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "platform/error.hpp"

namespace mproc::platform {
namespace {

const EVP_MD* md_of(Digest d) noexcept {
  switch (d) {
    case Digest::kMd5: return EVP_md5();
    case Digest::kSha256: return EVP_sha256();
    case Digest::kSha384: return EVP_sha384();
  }
  return nullptr;
}

const char* name_of(Digest d) noexcept {
  switch (d) {
    case Digest::kMd5: return "md5";
    case Digest::kSha256: return "sha256";
    case Digest::kSha384: return "sha384";
  }
  return "?";
}

}  // namespace

size_t hmac(Digest d, const void* key, size_t key_len, const void* msg, size_t msg_len,
            unsigned char out[kMaxDigestSize]) {
  const EVP_MD* md = md_of(d);
  unsigned int len = 0;
  // A zero-length key still needs a valid pointer for OpenSSL.
  static const unsigned char kNoKey = 0;
  if (md == nullptr ||
      HMAC(md, key_len == 0 ? &kNoKey : key, static_cast<int>(key_len),
           static_cast<const unsigned char*>(msg), msg_len, out, &len) == nullptr)
    fail(MPROC_ENOTSUP, std::string("HMAC-") + name_of(d) +
                            " is not available from libcrypto (a FIPS policy?)");
  return len;
}

void random_bytes(void* out, size_t len) {
  // getentropy gives at most 256 bytes a call.
  auto* p = static_cast<unsigned char*>(out);
  while (len > 0) {
    size_t n = len < 256 ? len : 256;
    if (::getentropy(p, n) != 0) fail_errno("getentropy");
    p += n;
    len -= n;
  }
}

bool equal_ct(const void* a, const void* b, size_t n) noexcept {
  return CRYPTO_memcmp(a, b, n) == 0;
}

void wipe(void* p, size_t n) noexcept { OPENSSL_cleanse(p, n); }

}  // namespace mproc::platform
