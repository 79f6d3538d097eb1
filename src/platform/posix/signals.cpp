#include "platform/signals.hpp"

#include <signal.h>
#include <string.h>

#include <cstring>

namespace mproc::platform {

static_assert(SIGKILL == kSignalKill && SIGTERM == kSignalTerminate,
              "core's signal numbers are the POSIX ones");

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (const char* abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#endif
  return "signal " + std::to_string(sig);
}

namespace {

static_assert(sizeof(sigset_t) <= 128, "SignalMask is too small for sigset_t");

}  // namespace

SignalMask SignalMask::of_calling_thread() noexcept {
  SignalMask m;
  sigset_t set;
  pthread_sigmask(SIG_SETMASK, nullptr, &set);
  std::memcpy(m.bits_, &set, sizeof set);
  return m;
}

SignalMask SignalMask::none() noexcept {
  SignalMask m;
  sigset_t set;
  sigemptyset(&set);
  std::memcpy(m.bits_, &set, sizeof set);
  return m;
}

void SignalMask::apply_to_calling_thread() const noexcept {
  sigset_t set;
  std::memcpy(&set, bits_, sizeof set);
  pthread_sigmask(SIG_SETMASK, &set, nullptr);
}

AllSignalsBlocked::AllSignalsBlocked() noexcept : previous_(SignalMask::of_calling_thread()) {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
}

AllSignalsBlocked::~AllSignalsBlocked() { previous_.apply_to_calling_thread(); }

}  // namespace mproc::platform
