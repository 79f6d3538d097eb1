// Signals as core sees them: two numbers it sends, their names, and the
// per-thread set of blocked signals, which a thread saves and gives back
// without knowing its layout.
//
// The numbers are the POSIX ones on every platform: Python reports a child
// that terminate() ended as -15 on Windows too, and mproc does the same.
#pragma once

#include <string>

namespace mproc::platform {

inline constexpr int kSignalKill = 9;        // SIGKILL
inline constexpr int kSignalTerminate = 15;  // SIGTERM

// "SIGTERM", or "signal N" where the platform has no name for it.
std::string signal_name(int sig);

// A thread's set of blocked signals, saved to be applied again (to a
// forked child, say). Opaque: large enough for any platform's set.
class SignalMask {
 public:
  // The calling thread's current mask.
  static SignalMask of_calling_thread() noexcept;
  // A mask blocking nothing.
  static SignalMask none() noexcept;
  void apply_to_calling_thread() const noexcept;

 private:
  alignas(8) unsigned char bits_[128] = {};
};

// Blocks every signal that can be blocked in the calling thread while it
// lives (threads started meanwhile inherit that), then restores the mask.
class AllSignalsBlocked {
 public:
  AllSignalsBlocked() noexcept;
  ~AllSignalsBlocked();
  AllSignalsBlocked(const AllSignalsBlocked&) = delete;
  AllSignalsBlocked& operator=(const AllSignalsBlocked&) = delete;

 private:
  SignalMask previous_;
};

}  // namespace mproc::platform
