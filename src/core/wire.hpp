// A small binary encoding for what crosses a process boundary inside
// mproc's own channels (bootstrap requests, forkserver requests). The
// reader treats its input as hostile: every read is bounds-checked and a
// short or malformed record throws MPROC_ECORRUPT.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "platform/error.hpp"

namespace mproc::core {

class WireWriter {
 public:
  void u8(uint8_t v) { raw(&v, sizeof v); }
  void u32(uint32_t v) { raw(&v, sizeof v); }
  void i64(int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void bytes(const void* data, size_t len) {
    i64(static_cast<int64_t>(len));
    raw(data, len);
  }
  void str(std::string_view s) { bytes(s.data(), s.size()); }

  const std::string& data() const noexcept { return buf_; }
  std::string take() noexcept { return std::move(buf_); }

 private:
  void raw(const void* p, size_t n) {
    buf_.append(static_cast<const char*>(p), n);
  }
  std::string buf_;
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : p_(data.data()), end_(p_ + data.size()) {}

  uint8_t u8() { return fixed<uint8_t>(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  int64_t i64() { return fixed<int64_t>(); }
  double f64() { return fixed<double>(); }
  // A result code: 0 or an MPROC_E* error (negative); anything else is
  // not one of ours.
  int code() {
    int32_t v = static_cast<int32_t>(u32());
    if (v > 0) fail(MPROC_ECORRUPT, "record: " + std::to_string(v) + " is not a result code");
    return v;
  }
  std::string_view bytes() {
    int64_t len = i64();
    if (len < 0 || len > end_ - p_) fail(MPROC_ECORRUPT, "record: bad length");
    std::string_view out(p_, static_cast<size_t>(len));
    p_ += len;
    return out;
  }
  std::string str() { return std::string(bytes()); }
  bool done() const noexcept { return p_ == end_; }

 private:
  template <class T>
  T fixed() {
    if (end_ - p_ < static_cast<ptrdiff_t>(sizeof(T)))
      fail(MPROC_ECORRUPT, "record: truncated");
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  const char* p_;
  const char* end_;
};

}  // namespace mproc::core
