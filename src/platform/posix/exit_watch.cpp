// A uv_poll on the descriptor: a pidfd turns readable when its process
// ends, a socket when data or a hang-up arrives.
#include "platform/exit_watch.hpp"

#include <utility>

namespace mproc::platform {

struct ExitWatch::Impl {
  uv_poll_t poll{};
  std::function<void()> on_ready;
  std::function<void()> on_closed;
};

int ExitWatch::start(uv_loop_t* loop, int fd, std::function<void()> on_ready) {
  auto* impl = new Impl;
  int rc = uv_poll_init(loop, &impl->poll, fd);
  if (rc != 0) {
    delete impl;  // uv_poll_init registers nothing with the loop on failure
    return rc;
  }
  impl->on_ready = std::move(on_ready);
  impl->poll.data = impl;
  impl_ = impl;
  uv_poll_start(&impl->poll, UV_READABLE | UV_DISCONNECT, [](uv_poll_t* h, int, int) {
    auto* self = static_cast<Impl*>(h->data);
    // A copy: the callee may close this watch.
    std::function<void()> cb = self->on_ready;
    if (cb) cb();
  });
  return 0;
}

void ExitWatch::close(std::function<void()> on_closed) {
  Impl* impl = std::exchange(impl_, nullptr);
  if (impl == nullptr) {
    if (on_closed) on_closed();
    return;
  }
  impl->on_ready = nullptr;
  impl->on_closed = std::move(on_closed);
  uv_poll_stop(&impl->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&impl->poll), [](uv_handle_t* h) {
    auto* self = static_cast<Impl*>(h->data);
    std::function<void()> done = std::move(self->on_closed);
    delete self;
    if (done) done();
  });
}

}  // namespace mproc::platform
