#include "core/net/client.hpp"

#include <algorithm>

#include "core/net/handshake.hpp"
#include "core/net/handshake_io.hpp"
#include "core/net/net_address.hpp"

namespace mproc::core {

std::shared_ptr<Connection> connect_client(const std::string& address, const NetOptions& options,
                                           const platform::Deadline& deadline) {
  platform::NetAddress to = parse_net_address(address);
  std::string key = options.no_auth ? std::string() : key_of(options);
  platform::UniqueFd fd = platform::connect_to(to, deadline);
  if (!options.no_auth) {
    Handshake h(Handshake::Role::kClient, std::move(key), options.accept_md5);
    platform::Deadline limit = deadline.capped_ns(
        std::min<int64_t>(options.handshake_timeout_ms, platform::Deadline::kLongestMs) *
        1000000);
    run_handshake(h, fd.get(), limit, "connect to " + address);
  }
  auto conn = std::make_shared<Connection>(std::move(fd), true, true);
  conn->set_max_message(options.max_message);
  conn->set_send_buffer(options.send_buffer);
  return conn;
}

}  // namespace mproc::core
