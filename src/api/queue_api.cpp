// C entry points for queues.
#include <mproc/queue.h>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "api/shared_args.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::Queue;

namespace {

int too_big(const Queue& q, size_t len, const char* function) {
  return mproc::api::fail_message(
      MPROC_ETOOBIG, std::string(function) + ": a message of " + std::to_string(len) +
                         " bytes is over this queue's limit of " +
                         std::to_string(q.max_message()) +
                         " bytes (half its capacity; make the queue bigger)");
}

int corrupt() {
  return mproc::api::fail_static(
      MPROC_ECORRUPT, "queue: its shared state is corrupt (written by a misbehaving process)");
}

}  // namespace

extern "C" {

int mproc_queue_opts_new(mproc_queue_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_queue_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_queue_opts_free(mproc_queue_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_queue_opts_set_maxsize(mproc_queue_opts_t* opts, size_t maxsize) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).maxsize = maxsize;
  return 0;
  MPROC_API_END
}

int mproc_queue_opts_set_capacity(mproc_queue_opts_t* opts, size_t bytes) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(bytes > 0 && bytes <= mproc::core::kMaxQueueCapacity,
                "capacity must be 1 byte to 4 GiB");
  o.capacity = bytes;
  return 0;
  MPROC_API_END
}

int mproc_queue_opts_set_named(mproc_queue_opts_t* opts, int named) {
  MPROC_API_BEGIN
  mproc::api::set_named(MPROC_OPTIONS(opts).shared, named);
  return 0;
  MPROC_API_END
}

int mproc_queue_opts_set_name(mproc_queue_opts_t* opts, const char* name) {
  MPROC_API_BEGIN
  mproc::api::set_name(MPROC_OPTIONS(opts).shared, name, __func__);
  return 0;
  MPROC_API_END
}

int mproc_queue_new(mproc_queue_t** out, const mproc_queue_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  mproc::core::QueueOptions o;
  if (opts != nullptr) o = MPROC_OPTIONS(opts);
  *out = wrap<mproc_queue_s>(Queue::create(o));
  return 0;
  MPROC_API_END
}

int mproc_queue_open(mproc_queue_t** out, const char* name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr && name != nullptr, "out or name is NULL");
  *out = wrap<mproc_queue_s>(Queue::open(name));
  return 0;
  MPROC_API_END
}

int mproc_queue_put(mproc_queue_t* q, const void* data, size_t len, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto held = MPROC_HOLD(q);  // see MPROC_HOLD: a put or get lets a peer free q
  Queue& queue = *held;
  MPROC_REQUIRE(data != nullptr || len == 0, "data is NULL");
  int rc = queue.put(data, len, MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ETOOBIG) return too_big(queue, len, __func__);
  if (rc == MPROC_ECORRUPT) return corrupt();
  return status(rc);
  MPROC_API_END
}

int mproc_queue_get(mproc_queue_t* q, mproc_msg_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto held = MPROC_HOLD(q);  // see MPROC_HOLD: a put or get lets a peer free q
  Queue& queue = *held;
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  int rc = queue.get(out, MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ECORRUPT) return corrupt();
  return status(rc);
  MPROC_API_END
}

int mproc_queue_get_into(mproc_queue_t* q, void* buf, size_t cap, size_t* len,
                         int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto held = MPROC_HOLD(q);  // see MPROC_HOLD: a put or get lets a peer free q
  Queue& queue = *held;
  MPROC_REQUIRE(buf != nullptr || cap == 0, "buf is NULL");
  MPROC_REQUIRE(len != nullptr, "len is NULL");
  int rc = queue.get_into(buf, cap, len, MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ETOOBIG) return mproc::api::buffer_too_small(__func__, *len, cap);
  if (rc == MPROC_ECORRUPT) return corrupt();
  return status(rc);
  MPROC_API_END
}

int mproc_queue_qsize(const mproc_queue_t* q, size_t* n) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(n != nullptr, "n is NULL");
  *n = static_cast<size_t>(MPROC_UNWRAP(q).qsize());
  return 0;
  MPROC_API_END
}

int mproc_queue_empty(const mproc_queue_t* q, int* empty) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(empty != nullptr, "empty is NULL");
  *empty = MPROC_UNWRAP(q).qsize() == 0 ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_queue_full(const mproc_queue_t* q, int* full) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(full != nullptr, "full is NULL");
  *full = MPROC_UNWRAP(q).full() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_queue_maxsize(const mproc_queue_t* q, size_t* maxsize) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(maxsize != nullptr, "maxsize is NULL");
  *maxsize = static_cast<size_t>(MPROC_UNWRAP(q).maxsize());
  return 0;
  MPROC_API_END
}

int mproc_queue_capacity(const mproc_queue_t* q, size_t* bytes) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(bytes != nullptr, "bytes is NULL");
  *bytes = static_cast<size_t>(MPROC_UNWRAP(q).capacity());
  return 0;
  MPROC_API_END
}

int mproc_queue_max_message(const mproc_queue_t* q, size_t* bytes) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(bytes != nullptr, "bytes is NULL");
  *bytes = static_cast<size_t>(MPROC_UNWRAP(q).max_message());
  return 0;
  MPROC_API_END
}

int mproc_queue_close(mproc_queue_t* q) {
  MPROC_API_BEGIN
  MPROC_HOLD(q)->close();
  return 0;
  MPROC_API_END
}

int mproc_queue_is_closed(const mproc_queue_t* q, int* closed) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(closed != nullptr, "closed is NULL");
  *closed = MPROC_UNWRAP(q).closed() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_queue_task_done(mproc_queue_t* q) {
  MPROC_API_BEGIN
  int rc = MPROC_HOLD(q)->task_done();
  if (rc == MPROC_ESTATE)
    return mproc::api::fail_static(
        rc, "mproc_queue_task_done: called more times than items were taken");
  return status(rc);
  MPROC_API_END
}

int mproc_queue_join(mproc_queue_t* q, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(q).join(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_queue_name(const mproc_queue_t* q, const char** name) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(name != nullptr, "name is NULL");
  *name = MPROC_UNWRAP(q).name().c_str();
  return 0;
  MPROC_API_END
}

void mproc_queue_free(mproc_queue_t* q) { MPROC_RELEASE(q); }

int mproc_args_add_queue(mproc_args_t* a, mproc_queue_t* q) {
  MPROC_API_BEGIN
  mproc::api::add_handle(a, q, __func__);
  return 0;
  MPROC_API_END
}

int mproc_args_get_queue(const mproc_args_t* a, size_t index, mproc_queue_t** out) {
  MPROC_API_BEGIN
  mproc::api::get_handle(a, index, MPROC_ARG_QUEUE, out, __func__);
  return 0;
  MPROC_API_END
}

}  // extern "C"
