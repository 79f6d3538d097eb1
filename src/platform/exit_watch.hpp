// Telling the reactor that a child may have ended: a watch on a process
// handle (or, on POSIX, on any descriptor that turns readable when a child
// ends, such as a forkserver's status socket) whose callback runs on the
// reactor's thread.
//
// Linux polls the pidfd with uv_poll. libuv on Windows polls only sockets,
// so there a thread-pool wait on the process handle
// (RegisterWaitForSingleObject) wakes the reactor through a uv_async.
#pragma once

#include <uv.h>

#include <functional>

namespace mproc::platform {

class ExitWatch {
 public:
  ExitWatch() noexcept = default;
  ExitWatch(const ExitWatch&) = delete;
  ExitWatch& operator=(const ExitWatch&) = delete;
  // Must have been closed (or never started).
  ~ExitWatch() = default;

  // On the loop's thread: starts calling `on_ready` (on that thread) when
  // `fd` may have become readable, possibly more than once; the callee
  // checks. Returns 0 or a negative libuv/MPROC code, when nothing started.
  int start(uv_loop_t* loop, int fd, std::function<void()> on_ready);
  bool started() const noexcept { return impl_ != nullptr; }
  // On the loop's thread: stops the watch; `on_closed` runs on the loop
  // once nothing refers to the watch's state any more (at once, if it was
  // not started). on_ready is not called after close.
  void close(std::function<void()> on_closed);

 private:
  struct Impl;  // per platform; frees itself once closed
  Impl* impl_ = nullptr;
};

}  // namespace mproc::platform
