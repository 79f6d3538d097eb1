// A point in time on the monotonic clock, made from an mproc timeout in
// milliseconds (MPROC_FOREVER: never; 0: already due). Blocking calls loop
// on EINTR and spurious wake-ups against one Deadline, so a timeout is never
// restarted by a signal.
//
// The clock is read only when a caller first asks how much time is left:
// an operation that succeeds without waiting (an uncontended lock, a queue
// with room) never pays for clock_gettime.
#pragma once

#include <time.h>

#include <cstdint>

namespace mproc::platform {

inline int64_t monotonic_ns() noexcept {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

class Deadline {
 public:
  static constexpr int64_t kLongestMs = int64_t{1} << 40;  // about 35 years

  static Deadline after_ms(int64_t timeout_ms) noexcept {
    Deadline d;
    // Beyond a few centuries the nanosecond arithmetic would overflow:
    // such a timeout is forever in all but name.
    d.timeout_ms_ = timeout_ms > kLongestMs ? -1 : timeout_ms;
    return d;
  }
  static Deadline never() noexcept { return after_ms(-1); }
  // `ns` from now; for the short bounded waits of calls that must not block.
  static Deadline after_ns(int64_t ns) noexcept { return at(monotonic_ns() + ns); }
  static Deadline at(int64_t at_ns) noexcept {
    Deadline d;
    d.timeout_ms_ = 0;
    d.at_ns_ = at_ns;
    return d;
  }

  bool forever() const noexcept { return timeout_ms_ < 0; }
  // True for a timeout of 0: the caller must not block at all.
  bool immediate() const noexcept { return timeout_ms_ == 0 && at_ns_ < 0; }
  int64_t at_ns() const noexcept {
    if (at_ns_ < 0) at_ns_ = monotonic_ns() + timeout_ms_ * 1000000;
    return at_ns_;
  }
  bool expired() const noexcept { return !forever() && monotonic_ns() >= at_ns(); }
  // Nanoseconds left (0 when due); INT64_MAX when forever().
  int64_t remaining_ns() const noexcept {
    if (forever()) return INT64_MAX;
    int64_t left = at_ns() - monotonic_ns();
    return left > 0 ? left : 0;
  }
  // Milliseconds left for poll(2): -1 when forever, rounded up otherwise so
  // that a poll never returns just before the deadline.
  int poll_ms() const noexcept {
    if (forever()) return -1;
    int64_t ms = (remaining_ns() + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
  }
  // The earlier of this deadline and `other_ns` from now.
  Deadline capped_ns(int64_t other_ns) const noexcept {
    int64_t cap = monotonic_ns() + other_ns;
    if (forever() || cap < at_ns()) return at(cap);
    return *this;
  }

 private:
  int64_t timeout_ms_ = -1;
  mutable int64_t at_ns_ = -1;
};

}  // namespace mproc::platform
