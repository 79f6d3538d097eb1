#include "core/launch/child.hpp"

#include <cerrno>

#include "core/runtime.hpp"
#include "platform/error.hpp"
#include "platform/lifeline.hpp"
#include "platform/process.hpp"
#include "platform/stream_io.hpp"

namespace mproc::core {

using platform::Deadline;

Child::Child(int64_t pid, platform::UniqueFd pidfd, Reaper reaper, bool group_leader,
             platform::UniqueFd status_fd)
    : pid_(pid),
      pidfd_(std::move(pidfd)),
      reaper_(reaper),
      group_leader_(group_leader),
      status_fd_(std::move(status_fd)) {}

Child::Child(int64_t pid, platform::NewChildHandle handle, bool group_leader)
    : Child(pid, std::move(handle.handle), Reaper::kPidfd, group_leader) {
  if (handle.gone) record_exit_locked(0, true);  // nobody else sees it yet: no lock needed
}

Child::~Child() = default;

int Child::sentinel() const noexcept {
  bool via_server = reaper_ == Reaper::kForkserver && !server_gone_.load();
  return via_server ? status_fd_.get() : pidfd_.get();
}

void Child::record_exit_locked(int exitcode, bool lost) {
  if (reaped_) return;
  reaped_ = true;
  status_lost_ = lost;
  exitcode_ = exitcode;
}

void Child::try_reap_locked() {
  if (reaped_) return;
  if (reaper_ == Reaper::kForkserver) {
    if (!server_gone_.load()) {
      int32_t code = 0;
      std::ptrdiff_t n = 0;  // an error reads as the server gone
      try {
        n = platform::recv_nowait(status_fd_.get(), &code, sizeof code);
      } catch (const Error&) {
      }
      if (n == static_cast<std::ptrdiff_t>(sizeof code)) {
        record_exit_locked(code, false);
        return;
      }
      if (n == platform::kNothingYet) return;
      // The server went away without a word. The child may still run: from
      // now on its own pidfd tells when it ends, and its status is lost.
      server_gone_.store(true);
    }
    if (platform::readable_now(pidfd_.get())) record_exit_locked(0, true);
    return;
  }
  bool lost = false;
  platform::ExitStatus st = platform::try_reap(pidfd_.get(), &lost);
  if (st.reaped) {
    record_exit_locked(st.exitcode, false);
  } else if (lost) {
    record_exit_locked(0, true);  // reaped behind our back (SIGCHLD ignored?)
  }
}

int Child::join(const Deadline& deadline) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reaped_) return 0;
    }
    if (!platform::wait_fd(sentinel(), platform::IoWant::kRead, deadline)) return MPROC_ETIMEDOUT;
    std::lock_guard<std::mutex> lock(mu_);
    try_reap_locked();
    if (reaped_) return 0;
  }
}

bool Child::alive() {
  std::lock_guard<std::mutex> lock(mu_);
  if (reaped_) return false;
  if (!platform::readable_now(pidfd_.get())) return true;
  try_reap_locked();
  return false;
}

bool Child::reaped() {
  std::lock_guard<std::mutex> lock(mu_);
  return reaped_;
}

bool Child::exitcode(int* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!reaped_) {
    if (platform::readable_now(sentinel())) try_reap_locked();
  }
  if (!reaped_) return false;
  if (status_lost_)
    fail(MPROC_ECHILD, "the exit status of process " + std::to_string(pid_) +
                           " was lost (reaped by someone else -- SIGCHLD ignored? -- or its forkserver died)");
  *out = exitcode_;
  return true;
}

void Child::signal(int sig) {
  std::lock_guard<std::mutex> lock(mu_);
  int err;
  if (group_leader_) {
    err = platform::signal_group(pid_, sig);
  } else {
    if (reaped_) return;
    err = platform::signal_process(pidfd_.get(), sig);
  }
  if (err != 0 && err != ESRCH)
    fail_errno("cannot signal process " + std::to_string(pid_), err);
}

void Child::watch(std::function<void(Child&)> on_end) {
  if (watched_.exchange(true)) return;
  on_end_ = std::move(on_end);
  Runtime::get().post([self = shared_from_this()](uv_loop_t* loop) {
    self->start_watch_on_loop(loop);
  });
}

void Child::start_watch_on_loop(uv_loop_t* loop) {
  keepalive_ = shared_from_this();
  loop_ = loop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reaped_) {
      finish_on_loop();
      return;
    }
  }
  open_watcher(loop);
}

void Child::open_watcher(uv_loop_t* loop) {
  watched_fd_ = sentinel();
  if (watch_.start(loop, watched_fd_, [this] { on_watch_event(); }) != 0)
    keepalive_.reset();  // may destroy *this
}

void Child::on_watch_event() {
  bool done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    try_reap_locked();
    done = reaped_;
  }
  if (done) {
    finish_on_loop();
  } else if (server_gone_.load() && watched_fd_ != pidfd_.get()) {
    // The status socket will never say more: watch the pidfd instead.
    watched_fd_ = pidfd_.get();
    uv_loop_t* loop = loop_;
    watch_.close([this, loop] { open_watcher(loop); });
  }
}

void Child::finish_on_loop() {
  if (finishing_) return;
  finishing_ = true;
  if (on_end_) {
    auto on_end = std::move(on_end_);
    on_end(*this);
  }
  // Once the watch lets go of us, so may we (this may destroy *this).
  watch_.close([this] { keepalive_.reset(); });
}

}  // namespace mproc::core
