// Cryptography for authenticated connections, from the system's libraries
// (OpenSSL's libcrypto on POSIX, CNG's BCrypt on Windows), never written by
// hand: HMAC with the digests Python's multiprocessing.connection speaks,
// random bytes from the operating system, and a comparison whose time does
// not depend on where two digests differ.
#pragma once

#include <cstddef>

namespace mproc::platform {

enum class Digest { kMd5, kSha256, kSha384 };

// The longest digest of any Digest (SHA-384).
inline constexpr size_t kMaxDigestSize = 48;

// The size of `d`'s digest in bytes.
inline size_t digest_size(Digest d) noexcept {
  switch (d) {
    case Digest::kMd5: return 16;
    case Digest::kSha256: return 32;
    case Digest::kSha384: return 48;
  }
  return 0;
}

// HMAC-`d` of msg under key into out (digest_size(d) bytes); returns the
// size. Throws (MPROC_ENOTSUP when the library refuses the digest, as MD5
// under a FIPS policy).
size_t hmac(Digest d, const void* key, size_t key_len, const void* msg, size_t msg_len,
            unsigned char out[kMaxDigestSize]);

// Fills out with `len` bytes from the operating system's random source.
// Throws.
void random_bytes(void* out, size_t len);

// Whether a and b (n bytes each) are equal, in time that depends only on n.
bool equal_ct(const void* a, const void* b, size_t n) noexcept;

// Overwrites n bytes at p with zeros in a way the compiler keeps.
void wipe(void* p, size_t n) noexcept;

}  // namespace mproc::platform
