// The text form of listener and client addresses (mproc/listener.h):
//   "unix:/path/to/socket" (or just "/path/to/socket"), "abstract:name",
//   "tcp:host:port", "tcp:[v6-address]:port".
#pragma once

#include <string>

#include "platform/net.hpp"

namespace mproc::core {

// Throws MPROC_EINVAL naming the forms for anything else.
platform::NetAddress parse_net_address(const std::string& text);
std::string format_net_address(const platform::NetAddress& a);

}  // namespace mproc::core
