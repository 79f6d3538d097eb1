// Single non-blocking steps on a connected stream socket, for framed
// message channels that keep their own state between steps: each call
// moves what it can at once and never waits; the waits are separate, so a
// caller can do them without holding its locks.
#pragma once

#include <cstddef>

#include "platform/deadline.hpp"

namespace mproc::platform {

// What recv_nowait returns when nothing has arrived yet.
inline constexpr std::ptrdiff_t kNothingYet = -1;

// Sends from the byte string head+body (a header and its message), from
// offset `skip` on, without waiting and without SIGPIPE. Returns the bytes
// sent, 0 when the socket has no room. Throws MPROC_EPIPE when the peer is
// gone, other errors as they are.
size_t send_nowait(int fd, const void* head, size_t head_len, const void* body,
                   size_t body_len, size_t skip);

// Receives up to `len` bytes without waiting: the count received, 0 at the
// end of the stream (a reset counts as one), kNothingYet when nothing is
// there. Throws other errors.
std::ptrdiff_t recv_nowait(int fd, void* data, size_t len);

// Receives up to `len` bytes, waiting as long as it takes for the first:
// the count, 0 at the end of the stream, kNothingYet when the descriptor
// turned out to be non-blocking (then wait_readable and recv_nowait).
// Throws other errors.
std::ptrdiff_t recv_wait(int fd, void* data, size_t len);

// Wait until `fd` can be read / written (or has hung up or failed, which
// the next step reports). False when the deadline passed first.
bool wait_readable(int fd, const Deadline& deadline);
bool wait_writable(int fd, const Deadline& deadline);

}  // namespace mproc::platform
