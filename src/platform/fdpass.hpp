// Sending a message together with file descriptors over a Unix stream
// socket (SCM_RIGHTS): how handles reach spawned and forkserver children.
#pragma once

#include <string>
#include <vector>

#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::platform {

// Sends `payload` and `fds` as one framed record. The descriptors stay open
// in the sender. Throws on error or timeout.
void send_record(int sock, const std::string& payload,
                 const std::vector<int>& fds, const Deadline& deadline);

// Receives one record sent by send_record. Returns false on a clean end of
// file before the record began. Throws on error, truncation, timeout, or a
// record larger than `max_payload`.
bool recv_record(int sock, std::string& payload, std::vector<UniqueFd>& fds,
                 const Deadline& deadline, size_t max_payload);

}  // namespace mproc::platform
