// A point in time on the monotonic clock, made from an mproc timeout in
// milliseconds (MPROC_FOREVER: never; 0: already due). Blocking calls loop
// on EINTR and spurious wake-ups against one Deadline, so a timeout is never
// restarted by a signal.
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
  static Deadline after_ms(int64_t timeout_ms) noexcept {
    Deadline d;
    if (timeout_ms < 0) {
      d.forever_ = true;
    } else {
      d.at_ns_ = monotonic_ns() + timeout_ms * 1000000;
    }
    return d;
  }
  static Deadline never() noexcept { return after_ms(-1); }

  bool forever() const noexcept { return forever_; }
  bool expired() const noexcept {
    return !forever_ && monotonic_ns() >= at_ns_;
  }
  int64_t at_ns() const noexcept { return at_ns_; }
  // Nanoseconds left (0 when due); meaningless when forever().
  int64_t remaining_ns() const noexcept {
    if (forever_) return INT64_MAX;
    int64_t left = at_ns_ - monotonic_ns();
    return left > 0 ? left : 0;
  }
  // Milliseconds left for poll(2): -1 when forever, rounded up otherwise so
  // that a poll never returns just before the deadline.
  int poll_ms() const noexcept {
    if (forever_) return -1;
    int64_t ns = remaining_ns();
    int64_t ms = (ns + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
  }
  // Absolute CLOCK_MONOTONIC time, for futex and pthread waits.
  struct timespec abs_timespec() const noexcept {
    struct timespec ts;
    ts.tv_sec = static_cast<time_t>(at_ns_ / 1000000000);
    ts.tv_nsec = static_cast<long>(at_ns_ % 1000000000);
    return ts;
  }

 private:
  bool forever_ = false;
  int64_t at_ns_ = 0;
};

}  // namespace mproc::platform
