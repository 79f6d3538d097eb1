// Client: Python's multiprocessing.connection.Client. Connects to a
// listener (mproc's or Python's) and authenticates with the handshake of
// core/net/handshake.hpp, all within one deadline.
#pragma once

#include <memory>
#include <string>

#include "core/connection.hpp"
#include "core/net/net_options.hpp"
#include "platform/deadline.hpp"

namespace mproc::core {

// Throws: EINVAL (bad address), ECONNREFUSED, ENOENT, ENOTFOUND (host),
// ETIMEDOUT, EAUTH (either side's check failed), other OS errors.
std::shared_ptr<Connection> connect_client(const std::string& address, const NetOptions& options,
                                           const platform::Deadline& deadline);

}  // namespace mproc::core
