// platform/signals.hpp on Windows. There are no signals: core's two
// numbers become TerminateProcess exit codes (process_exit.cpp), names are
// the POSIX ones, and there is no mask to save or block.
#include "platform/signals.hpp"

namespace mproc::platform {

std::string signal_name(int sig) {
  // The numbers core and Python's exit codes use, named as on Linux.
  switch (sig) {
    case 1: return "SIGHUP";
    case 2: return "SIGINT";
    case 3: return "SIGQUIT";
    case 4: return "SIGILL";
    case 6: return "SIGABRT";
    case 8: return "SIGFPE";
    case 9: return "SIGKILL";
    case 11: return "SIGSEGV";
    case 13: return "SIGPIPE";
    case 14: return "SIGALRM";
    case 15: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}

SignalMask SignalMask::of_calling_thread() noexcept { return SignalMask(); }
SignalMask SignalMask::none() noexcept { return SignalMask(); }
void SignalMask::apply_to_calling_thread() const noexcept {}

AllSignalsBlocked::AllSignalsBlocked() noexcept = default;
AllSignalsBlocked::~AllSignalsBlocked() = default;

}  // namespace mproc::platform
