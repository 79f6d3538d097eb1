// The framing of a message on a connection, byte for byte Python's
// multiprocessing.connection on sockets: a 4-byte big-endian signed
// length, then the bytes; a message longer than 0x7fffffff bytes has the
// length -1 (FF FF FF FF) followed by its length as an 8-byte big-endian
// unsigned number. mproc's own pipes use the same framing, so either end
// of any connection can be Python's.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mproc::core {

inline constexpr size_t kFrameShortHeader = 4;
inline constexpr size_t kFrameLongHeader = 12;
// The largest length the short header carries.
inline constexpr uint64_t kFrameShortMax = 0x7fffffff;

// Writes the header of a `len`-byte message to out; returns its size.
inline size_t frame_header(uint64_t len, unsigned char out[kFrameLongHeader]) noexcept {
  if (len <= kFrameShortMax) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned char>(len >> (24 - 8 * i));
    return kFrameShortHeader;
  }
  for (int i = 0; i < 4; ++i) out[i] = 0xff;
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<unsigned char>(len >> (56 - 8 * i));
  return kFrameLongHeader;
}

enum class FrameHeader {
  kIncomplete,  // fewer bytes than the header needs
  kOk,          // *len and *header_size set
  kBad,         // a negative length other than -1: no framing Python writes
};

// Reads a header from the `avail` bytes at p.
inline FrameHeader parse_frame_header(const unsigned char* p, size_t avail, uint64_t* len,
                                      size_t* header_size) noexcept {
  if (avail < kFrameShortHeader) return FrameHeader::kIncomplete;
  uint32_t first = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) |
                   uint32_t{p[3]};
  if (first <= kFrameShortMax) {
    *len = first;
    *header_size = kFrameShortHeader;
    return FrameHeader::kOk;
  }
  if (first != 0xffffffffu) return FrameHeader::kBad;
  if (avail < kFrameLongHeader) return FrameHeader::kIncomplete;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n = (n << 8) | p[4 + i];
  *len = n;
  *header_size = kFrameLongHeader;
  return FrameHeader::kOk;
}

}  // namespace mproc::core
