// C entry points for wait sets.
#include <mproc/wait.h>

#include "api/guard.hpp"
#include "api/net_handles.hpp"
#include "platform/fd.hpp"

using mproc::api::wrap;
using mproc::core::WaitSet;

namespace {

int add(mproc_waitset_t* w, WaitSet::Member m, size_t* slot, const char* function) {
  WaitSet& set = mproc::api::unwrap(w, function);
  mproc::api::require(slot != nullptr, function, "slot is NULL");
  *slot = set.add(std::move(m));
  return 0;
}

// A process's or a command's sentinel: readable once it has ended.
WaitSet::Member sentinel_member(int fd) {
  return {[fd] { return fd; }, [fd] { return mproc::platform::readable_now(fd); }};
}

}  // namespace

extern "C" {

int mproc_waitset_new(mproc_waitset_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = wrap<mproc_waitset_s>(std::make_shared<WaitSet>());
  return 0;
  MPROC_API_END
}

void mproc_waitset_free(mproc_waitset_t* w) { MPROC_RELEASE(w); }

int mproc_waitset_add_conn(mproc_waitset_t* w, mproc_conn_t* c, size_t* slot) {
  MPROC_API_BEGIN
  std::shared_ptr<mproc::core::Connection> conn = MPROC_CHECK(c).obj;
  MPROC_REQUIRE(conn->readable(), "the connection end only sends: it never becomes ready");
  WaitSet::Member m;
  m.fd = [conn] { return conn->fileno(); };
  // poll(0) reads what has arrived: whole messages read ahead count, a
  // part of one does not.
  m.ready = [conn] {
    return conn->poll(mproc::platform::Deadline::after_ms(0)) == 0;
  };
  return add(w, std::move(m), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_add_listener(mproc_waitset_t* w, mproc_listener_t* l, size_t* slot) {
  MPROC_API_BEGIN
  std::shared_ptr<mproc::core::Listener> listener = MPROC_CHECK(l).obj;
  (void)listener->fileno();  // ECLOSED now rather than a member that is always ready
  WaitSet::Member m;
  m.fd = [listener] { return listener->fileno(); };
  m.ready = [listener] { return listener->ready_now(); };
  return add(w, std::move(m), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_add_process(mproc_waitset_t* w, mproc_process_t* p, size_t* slot) {
  MPROC_API_BEGIN
  std::shared_ptr<mproc::core::Process> process = MPROC_CHECK(p).obj;
  WaitSet::Member m = sentinel_member(process->sentinel());
  // The member keeps the process, and with it its sentinel, alive.
  m.fd = [process] { return process->sentinel(); };
  return add(w, std::move(m), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_add_command(mproc_waitset_t* w, mproc_command_t* c, size_t* slot) {
  MPROC_API_BEGIN
  std::shared_ptr<mproc::core::Command> command = MPROC_CHECK(c).obj;
  WaitSet::Member m = sentinel_member(command->sentinel());
  m.fd = [command] { return command->sentinel(); };
  return add(w, std::move(m), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_add_queue(mproc_waitset_t* w, mproc_queue_t* q, size_t* slot) {
  MPROC_API_BEGIN
  std::shared_ptr<mproc::core::Queue> queue = MPROC_CHECK(q).obj;
  (void)queue->fileno();  // the watch starts now, not inside a wait
  WaitSet::Member m;
  m.fd = [queue] { return queue->fileno(); };
  m.ready = [queue] { return queue->qsize() > 0 || queue->closed(); };
  return add(w, std::move(m), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_add_fd(mproc_waitset_t* w, int fd, size_t* slot) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(fd >= 0, "fd is negative");
  return add(w, sentinel_member(fd), slot, __func__);
  MPROC_API_END
}

int mproc_waitset_remove(mproc_waitset_t* w, size_t slot) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(w).remove(slot);
  return 0;
  MPROC_API_END
}

int mproc_waitset_wait(mproc_waitset_t* w, int64_t timeout_ms, size_t* ready, size_t cap,
                       size_t* count) {
  MPROC_API_BEGIN
  WaitSet& set = MPROC_UNWRAP(w);
  MPROC_REQUIRE(count != nullptr, "count is NULL");
  MPROC_REQUIRE(ready != nullptr || cap == 0, "ready is NULL but cap is not 0");
  auto deadline = MPROC_DEADLINE(timeout_ms);
  *count = 0;
  std::vector<size_t> slots;
  int rc = set.wait(deadline, &slots);
  if (rc != 0) return mproc::api::status(rc);
  for (size_t i = 0; i < slots.size() && i < cap; ++i) ready[i] = slots[i];
  *count = slots.size();
  return 0;
  MPROC_API_END
}

int mproc_queue_fileno(const mproc_queue_t* q, int* fd) {
  MPROC_API_BEGIN
  mproc::core::Queue& queue = MPROC_UNWRAP(q);
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = queue.fileno();
  return 0;
  MPROC_API_END
}

}  // extern "C"
