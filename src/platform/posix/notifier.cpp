// platform/net.hpp's Notifier on POSIX: a pipe holding one byte while set.
#include <fcntl.h>
#include <unistd.h>

#include "platform/error.hpp"
#include "platform/net.hpp"

namespace mproc::platform {

Notifier::Notifier() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) fail_errno("notifier: pipe2");
  read_fd_ = p[0];
  write_fd_ = p[1];
}

Notifier::~Notifier() {
  ::close(read_fd_);
  ::close(write_fd_);
}

void Notifier::set() noexcept {
  std::lock_guard<std::mutex> hold(mu_);
  if (set_) return;
  const char one = 1;
  // A non-blocking pipe with room for 64 KiB takes this one byte.
  while (::write(write_fd_, &one, 1) < 0 && errno == EINTR) {
  }
  set_ = true;
}

void Notifier::clear() noexcept {
  std::lock_guard<std::mutex> hold(mu_);
  if (!set_) return;
  char byte;
  while (::read(read_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  set_ = false;
}

}  // namespace mproc::platform
