// C entry points for listeners, clients and their options.
#include <mproc/listener.h>

#include "api/guard.hpp"
#include "api/net_handles.hpp"
#include "core/authkey.hpp"
#include "core/net/client.hpp"

using mproc::api::wrap;
using mproc::core::Listener;
using mproc::core::NetOptions;

namespace {

NetOptions options_of(const mproc_net_opts_t* opts, const char* function) {
  if (opts == nullptr) return {};
  return MPROC_OPTIONS_IN(opts, function);
}

}  // namespace

extern "C" {

int mproc_net_opts_new(mproc_net_opts_t** out) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  *out = mproc::api::make<mproc_net_opts_s>();
  return 0;
  MPROC_API_END
}

void mproc_net_opts_free(mproc_net_opts_t* opts) { MPROC_RELEASE(opts); }

int mproc_net_opts_set_authkey(mproc_net_opts_t* opts, const void* key, size_t len) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(key != nullptr, "key is NULL");
  mproc::core::check_authkey_size(len, __func__);
  o.authkey.assign(static_cast<const char*>(key), len);
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_no_auth(mproc_net_opts_t* opts, int on) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).no_auth = on != 0;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_handshake_timeout(mproc_net_opts_t* opts, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(timeout_ms > 0 || timeout_ms == MPROC_FOREVER,
                "timeout_ms must be positive or MPROC_FOREVER");
  o.handshake_timeout_ms =
      timeout_ms == MPROC_FOREVER ? mproc::platform::Deadline::kLongestMs : timeout_ms;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_accept_md5(mproc_net_opts_t* opts, int on) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).accept_md5 = on != 0;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_backlog(mproc_net_opts_t* opts, int backlog) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(backlog >= 1, "backlog must be at least 1");
  o.backlog = backlog;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_max_pending(mproc_net_opts_t* opts, size_t n) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(n >= 1 && n <= 1024, "max_pending must be from 1 to 1024");
  o.max_pending = n;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_max_message(mproc_net_opts_t* opts, size_t bytes) {
  MPROC_API_BEGIN
  auto& o = MPROC_OPTIONS(opts);
  MPROC_REQUIRE(bytes >= 1, "max_message must be at least 1");
  o.max_message = bytes;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_send_buffer(mproc_net_opts_t* opts, size_t bytes) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).send_buffer = bytes;
  return 0;
  MPROC_API_END
}

int mproc_net_opts_set_report_failures(mproc_net_opts_t* opts, int on) {
  MPROC_API_BEGIN
  MPROC_OPTIONS(opts).report_failures = on != 0;
  return 0;
  MPROC_API_END
}

int mproc_listener_new(mproc_listener_t** out, const char* address,
                       const mproc_net_opts_t* opts) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  NetOptions options = options_of(opts, __func__);
  std::string text = address != nullptr ? address : "";
  *out = wrap<mproc_listener_s>(
      std::make_shared<Listener>(address != nullptr ? &text : nullptr, std::move(options)));
  return 0;
  MPROC_API_END
}

int mproc_listener_accept(mproc_listener_t* l, mproc_conn_t** out, int64_t timeout_ms) {
  MPROC_API_BEGIN
  Listener& listener = MPROC_UNWRAP(l);
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  std::shared_ptr<mproc::core::Connection> conn;
  std::string why;
  int rc = listener.accept(&conn, &why, MPROC_DEADLINE(timeout_ms));
  if (rc == 0) {
    *out = wrap<mproc_conn_s>(std::move(conn));
    return 0;
  }
  if (!why.empty()) return mproc::api::fail_message(rc, why);
  return mproc::api::status(rc);
  MPROC_API_END
}

int mproc_listener_address(const mproc_listener_t* l, const char** address) {
  MPROC_API_BEGIN
  const Listener& listener = MPROC_UNWRAP(l);
  MPROC_REQUIRE(address != nullptr, "address is NULL");
  *address = listener.address().c_str();
  return 0;
  MPROC_API_END
}

int mproc_listener_fileno(const mproc_listener_t* l, int* fd) {
  MPROC_API_BEGIN
  const Listener& listener = MPROC_UNWRAP(l);
  MPROC_REQUIRE(fd != nullptr, "fd is NULL");
  *fd = listener.fileno();
  return 0;
  MPROC_API_END
}

int mproc_listener_close(mproc_listener_t* l) {
  MPROC_API_BEGIN
  MPROC_UNWRAP(l).close();
  return 0;
  MPROC_API_END
}

void mproc_listener_free(mproc_listener_t* l) { MPROC_RELEASE(l); }

int mproc_conn_connect(mproc_conn_t** out, const char* address, const mproc_net_opts_t* opts,
                       int64_t timeout_ms) {
  MPROC_API_BEGIN
  MPROC_REQUIRE(out != nullptr, "out is NULL");
  MPROC_REQUIRE(address != nullptr, "address is NULL");
  auto deadline = MPROC_DEADLINE(timeout_ms);
  NetOptions options = options_of(opts, __func__);
  *out = wrap<mproc_conn_s>(mproc::core::connect_client(address, options, deadline));
  return 0;
  MPROC_API_END
}

int mproc_conn_flush(mproc_conn_t* c, int64_t timeout_ms) {
  MPROC_API_BEGIN
  auto& conn = MPROC_UNWRAP(c);
  return mproc::api::status(conn.flush(MPROC_DEADLINE(timeout_ms)));
  MPROC_API_END
}

}  // extern "C"
