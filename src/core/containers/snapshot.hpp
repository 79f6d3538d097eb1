// A copy of a container's entries taken at one moment (mproc_items_t):
// keys and values side by side in one buffer. A list's entries have empty
// keys; a dict's keys-only snapshot has empty values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mproc::core {

class Snapshot {
 public:
  struct Span {
    size_t at;
    size_t len;
  };

  void clear() noexcept {
    bytes_.clear();
    keys_.clear();
    values_.clear();
  }
  void add(const unsigned char* key, size_t klen, const unsigned char* value, size_t vlen) {
    keys_.push_back(append(key, klen));
    values_.push_back(append(value, vlen));
  }
  size_t size() const noexcept { return keys_.size(); }
  const unsigned char* key(size_t i, size_t* len) const noexcept { return at(keys_[i], len); }
  const unsigned char* value(size_t i, size_t* len) const noexcept { return at(values_[i], len); }

 private:
  Span append(const unsigned char* p, size_t len) {
    Span s{bytes_.size(), len};
    bytes_.insert(bytes_.end(), p, p + len);
    return s;
  }
  const unsigned char* at(Span s, size_t* len) const noexcept {
    *len = s.len;
    // Never NULL, even for an empty span of an empty buffer.
    static const unsigned char kNothing = 0;
    return s.len == 0 ? &kNothing : bytes_.data() + s.at;
  }

  std::vector<unsigned char> bytes_;
  std::vector<Span> keys_;
  std::vector<Span> values_;
};

}  // namespace mproc::core
