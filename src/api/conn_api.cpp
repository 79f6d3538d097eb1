// C entry points for connections and received messages.
#include <mproc/connection.h>

#include "api/guard.hpp"
#include "api/handles.hpp"
#include "core/message.hpp"
#include "platform/fd.hpp"
#include "platform/pipes.hpp"

using mproc::api::status;
using mproc::api::wrap;
using mproc::core::Connection;

extern "C" {

int mproc_conn_pipe(mproc_conn_t** a, mproc_conn_t** b, int duplex) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(a != nullptr && b != nullptr, "a or b is NULL");
  auto [first, second] = Connection::make_pair(duplex != 0);
  mproc_conn_s* ha = wrap<mproc_conn_s>(std::move(first));
  try {
    *b = wrap<mproc_conn_s>(std::move(second));
  } catch (...) {
    MPROC_RELEASE(ha);
    throw;
  }
  *a = ha;
  return 0;
  MPROC_API_END
}

int mproc_conn_from_fd(mproc_conn_t** out, int fd, int readable, int writable) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE((readable == 0 || readable == 1) && (writable == 0 || writable == 1),
                "readable and writable must each be 0 or 1");
  MPROC_REQUIRE(readable == 1 || writable == 1, "readable and writable are both 0");
  mproc::platform::check_stream_socket(fd);
  // The end gets a copy, and `fd` is closed only once nothing can fail any
  // more: a failure leaves the caller's descriptor as it was.
  auto conn = std::make_shared<Connection>(mproc::platform::import_user_fd(fd), readable == 1,
                                           writable == 1);
  mproc_conn_s* handle = wrap<mproc_conn_s>(std::move(conn));
  mproc::platform::close_user_fd(fd);
  *out = handle;
  return 0;
  MPROC_API_END
}

int mproc_conn_send(mproc_conn_t* c, const void* data, size_t len, int64_t timeout_ms) {
  MPROC_API_BEGIN
  Connection& conn = MPROC_UNWRAP(c);
  MPROC_REQUIRE(data != nullptr || len == 0, "data is NULL");
  return status(conn.send(data, len, MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_conn_recv(mproc_conn_t* c, mproc_msg_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  Connection& conn = MPROC_UNWRAP(c);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  return status(conn.recv(out, MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_conn_recv_into(mproc_conn_t* c, void* buf, size_t cap, size_t* len,
                         int64_t timeout_ms) {
  MPROC_API_BEGIN
  Connection& conn = MPROC_UNWRAP(c);
  MPROC_REQUIRE(buf != nullptr || cap == 0, "buf is NULL");
  MPROC_REQUIRE(len != nullptr, "len is NULL");
  int rc = conn.recv_into(buf, cap, len, MPROC_DEADLINE(timeout_ms));
  if (rc == MPROC_ETOOBIG) return mproc::api::buffer_too_small(__func__, *len, cap);
  return status(rc);
  MPROC_API_END
}

int mproc_conn_poll(mproc_conn_t* c, int64_t timeout_ms) {
  MPROC_API_BEGIN
  return status(MPROC_UNWRAP(c).poll(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

int mproc_conn_close(mproc_conn_t* c) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(c).close();
  return 0;
  MPROC_API_END
}

int mproc_conn_fileno(const mproc_conn_t* c, int* fd) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = MPROC_UNWRAP(c).fileno();
  return 0;
  MPROC_API_END
}

int mproc_conn_writable(const mproc_conn_t* c, int* writable) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(writable != nullptr, "writable is NULL");
  *writable = MPROC_UNWRAP(c).writable() ? 1 : 0;
  return 0;
  MPROC_API_END
}

int mproc_conn_readable(const mproc_conn_t* c, int* readable) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(readable != nullptr, "readable is NULL");
  *readable = MPROC_UNWRAP(c).readable() ? 1 : 0;
  return 0;
  MPROC_API_END
}

void mproc_conn_free(mproc_conn_t* c) { MPROC_RELEASE(c); }

// A message is a handle like any other: a freed one is refused, without
// reading freed memory.
int mproc_msg_data(const mproc_msg_t* m, const void** data) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(data != nullptr, "data is NULL");
  *data = MPROC_CHECK(m).data();
  return 0;
  MPROC_API_END
}

int mproc_msg_size(const mproc_msg_t* m, size_t* size) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(size != nullptr, "size is NULL");
  *size = MPROC_CHECK(m).size;
  return 0;
  MPROC_API_END
}

void mproc_msg_free(mproc_msg_t* m) { MPROC_RELEASE(m); }

}  // extern "C"
