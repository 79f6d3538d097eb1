// Settings shared by listeners and clients (mproc_net_opts_t).
#pragma once

#include <mproc/connection.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace mproc::core {

struct NetOptions {
  std::string authkey;  // empty: this process's key when the listener/client is made
  bool no_auth = false;  // Python's authkey=None: no handshake at all
  int64_t handshake_timeout_ms = 20000;  // Python's CONNECTION_TIMEOUT
  bool accept_md5 = true;  // accept Python 3.11's raw HMAC-MD5 answers
  int backlog = 128;
  size_t max_pending = 32;  // handshakes in flight + accepted, not yet taken
  uint64_t max_message = MPROC_CONN_MAX_MESSAGE;
  bool report_failures = true;
  size_t send_buffer = 0;  // Connection::set_send_buffer of each connection
};

// The key these options authenticate with.
std::string key_of(const NetOptions& options);

}  // namespace mproc::core
