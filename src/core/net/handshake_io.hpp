// Moving a Handshake's bytes over a socket: one step without waiting (for
// a listener running many at once) or a whole run with a deadline (for a
// client).
#pragma once

#include <string>

#include "core/net/handshake.hpp"
#include "platform/deadline.hpp"
#include "platform/fd.hpp"

namespace mproc::core {

enum class HandshakeWait { kRead, kWrite, kNone };

// Moves what can move now between `h` and socket `fd`; says what to wait
// for before the next step, kNone once `h` is done or failed. A failed
// handshake's "#FAILURE#" is sent if the socket takes it at once (a peer
// that reads nothing must not hold the listener up).
HandshakeWait advance_handshake(Handshake& h, int fd);

// Runs `h` to its end on the calling thread. Throws MPROC_EAUTH with
// "<what>: <why>" when it fails, MPROC_ETIMEDOUT at the deadline.
void run_handshake(Handshake& h, int fd, const platform::Deadline& deadline,
                   const std::string& what);

}  // namespace mproc::core
