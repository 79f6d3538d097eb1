// The key hash of shared dicts: every process (and every language, through
// the one library) must compute the same value for the same key and seed.
// Words of 8 bytes are folded in with a 64x64->128-bit multiply (the high
// and low halves xor-ed), which mixes every input bit into every output
// bit in a few cycles; the seed is per dict, drawn at creation, so keys
// chosen to collide in one dict do not collide in another.
#pragma once

#include <cstdint>
#include <cstring>

namespace mproc::core {

inline uint64_t hash_fold(uint64_t a, uint64_t b) noexcept {
  __uint128_t p = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

inline uint64_t hash_key(const void* data, size_t len, uint64_t seed) noexcept {
  constexpr uint64_t kA = 0x9e3779b97f4a7c15ull;
  constexpr uint64_t kB = 0xc2b2ae3d27d4eb4full;
  constexpr uint64_t kC = 0x165667b19e3779f9ull;
  auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = seed ^ (len * kA);
  size_t n = len;
  while (n >= 16) {
    uint64_t w0, w1;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, 8);
    h = hash_fold(w0 ^ h ^ kB, w1 ^ kC);
    p += 16;
    n -= 16;
  }
  uint64_t w0 = 0, w1 = 0;
  if (n >= 8) {
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, n - 8);
  } else if (n > 0) {  // an empty key may come with no bytes at all
    std::memcpy(&w0, p, n);
  }
  h = hash_fold(w0 ^ h ^ kB, w1 ^ kC ^ n);
  return hash_fold(h ^ kA, kB);
}

}  // namespace mproc::core
