// platform/net.hpp's Notifier on Windows: a manual-reset event, signalled
// while set. Its descriptor is the event's HANDLE value (fd.hpp), which
// wait_any and a program's WaitForMultipleObjects wait on.
#include <windows.h>

#include "platform/net.hpp"
#include "winproc.hpp"

namespace mproc::platform {

Notifier::Notifier() {
  HANDLE ev = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (ev == nullptr) winproc::fail_last_error("notifier: CreateEvent");
  read_fd_ = winproc::handle_to_int(ev);
}

Notifier::~Notifier() { CloseHandle(winproc::handle_from_int(read_fd_)); }

void Notifier::set() noexcept {
  std::lock_guard<std::mutex> hold(mu_);
  if (set_) return;
  SetEvent(winproc::handle_from_int(read_fd_));
  set_ = true;
}

void Notifier::clear() noexcept {
  std::lock_guard<std::mutex> hold(mu_);
  if (!set_) return;
  ResetEvent(winproc::handle_from_int(read_fd_));
  set_ = false;
}

}  // namespace mproc::platform
