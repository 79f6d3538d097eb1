// platform/exit_watch.hpp on Windows. libuv's uv_poll takes only sockets
// there, so the process handle is waited on by the system thread pool
// (RegisterWaitForSingleObject, once), whose callback wakes the reactor
// through a uv_async; on_ready then runs on the reactor's thread.
#include "platform/exit_watch.hpp"

#include <utility>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform {

struct ExitWatch::Impl {
  uv_async_t async{};
  HANDLE wait = nullptr;  // the registered wait, until close
  std::function<void()> on_ready;
  std::function<void()> on_closed;
};

namespace {

// On a thread-pool thread, once the handle is signalled. uv_async_send is
// the one libuv call safe from any thread.
void CALLBACK on_signalled(void* context, BOOLEAN) {
  uv_async_send(static_cast<uv_async_t*>(context));
}

}  // namespace

int ExitWatch::start(uv_loop_t* loop, int fd, std::function<void()> on_ready) {
  auto* impl = new Impl;
  int rc = uv_async_init(loop, &impl->async, [](uv_async_t* h) {
    auto* self = static_cast<Impl*>(h->data);
    std::function<void()> cb = self->on_ready;  // the callee may close us
    if (cb) cb();
  });
  if (rc != 0) {
    delete impl;
    return rc;
  }
  impl->async.data = impl;
  impl->on_ready = std::move(on_ready);
  if (!::RegisterWaitForSingleObject(&impl->wait, winproc::handle_from_int(fd), &on_signalled,
                                     &impl->async, INFINITE,
                                     WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD)) {
    int code = code_from_win32(::GetLastError());
    impl->wait = nullptr;
    impl->on_ready = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&impl->async),
             [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
    return code;
  }
  impl_ = impl;
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
  // Waits for a callback under way to finish, so none can touch the async
  // handle once it is closed.
  if (impl->wait != nullptr) ::UnregisterWaitEx(impl->wait, INVALID_HANDLE_VALUE);
  uv_close(reinterpret_cast<uv_handle_t*>(&impl->async), [](uv_handle_t* h) {
    auto* self = static_cast<Impl*>(h->data);
    std::function<void()> done = std::move(self->on_closed);
    delete self;
    if (done) done();
  });
}

}  // namespace mproc::platform
