// SIGCHLD read from a signalfd: the server stays single-threaded and
// handler-free.
#include "platform/child_exits.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/error.hpp"
#include "platform/signals.hpp"

namespace mproc::platform {

void ChildExits::open() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  fd_ = UniqueFd(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) fail_errno("signalfd");
}

void ChildExits::reap_ended(const std::function<void(int64_t, int)>& on_exit) {
  struct signalfd_siginfo info;
  while (::read(fd_.get(), &info, sizeof info) == sizeof info) {
  }
  for (;;) {
    int status = 0;
    // Every child of this process is its own (see the header), so reaping
    // any child takes nothing from anyone.
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    on_exit(pid, WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
  }
}

void ChildExits::close_in_child() noexcept {
  fd_.reset();
  SignalMask::none().apply_to_calling_thread();
}

}  // namespace mproc::platform
